"""The (B, C, h, w) maps among a backbone's outputs, with one clear error when there is none."""
from typing import Iterator, List, Sequence, Tuple, Union

import torch


def _outputs(feats) -> Sequence:
    return (feats, ) if isinstance(feats, torch.Tensor) else feats


def feature_maps(feats: Union[torch.Tensor, Sequence[torch.Tensor]]) -> List[torch.Tensor]:
    """The 4-D tensors of ``feats`` (a tensor or a tuple of backbone outputs), in order."""
    return [f for f in _outputs(feats) if isinstance(f, torch.Tensor) and f.dim() == 4]


def output_shapes(feats) -> List[tuple]:
    """Shapes of the tensors of ``feats``, for error messages."""
    return [tuple(f.shape) for f in _outputs(feats) if isinstance(f, torch.Tensor)]


def size_runs(views: Sequence[torch.Tensor]) -> Iterator[Tuple[int, int]]:
    """(start, end) of every run of consecutive views of equal spatial size, so that each
    run goes through the backbone in one call (as mmpretrain's SwAV does)."""
    start = 0
    while start < len(views):
        end = start
        while end < len(views) and views[end].shape[-2:] == views[start].shape[-2:]:
            end += 1
        yield start, end
        start = end


def last_feature_map(feats: Union[torch.Tensor, Sequence[torch.Tensor]],
                     owner: str) -> torch.Tensor:
    """Return the last 4-D tensor of ``feats`` (a tensor or a tuple of backbone outputs).

    Args:
        feats (Tensor | Sequence[Tensor]): backbone outputs: maps (B, C, h, w),
            possibly mixed with other tensors (e.g. Mobile-Former's (B, M, d) tokens).
        owner (str): name of the caller, for the error message.

    Raises:
        ValueError: when no item is a (B, C, h, w) map.
    """
    maps = feature_maps(feats)
    if not maps:
        shapes = output_shapes(feats)
        raise ValueError(
            f'{owner} needs a (B, C, h, w) feature map from the backbone, got outputs of '
            f'shapes {shapes}; configure the backbone to return a map (e.g. '
            f"out_indices=(4, ) for MobileFormer/ResNet, out_type='featmap' for "
            f'VisionTransformer)')
    return maps[-1]


def pooled_embedding(backbone, x: torch.Tensor, owner: str) -> torch.Tensor:
    """(N, 3, h, w) -> (N, C): global average pool of ``backbone``'s last map."""
    return last_feature_map(backbone(x), owner).mean(dim=(2, 3))

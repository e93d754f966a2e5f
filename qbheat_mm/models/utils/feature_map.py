"""The last (B, C, h, w) map of a backbone's outputs, with one clear error when there is none."""
from typing import Sequence, Union

import torch


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
    if isinstance(feats, torch.Tensor):
        feats = (feats, )
    maps = [f for f in feats if isinstance(f, torch.Tensor) and f.dim() == 4]
    if not maps:
        shapes = [tuple(f.shape) for f in feats if isinstance(f, torch.Tensor)]
        raise ValueError(
            f'{owner} needs a (B, C, h, w) feature map from the backbone, got outputs of '
            f'shapes {shapes}; configure the backbone to return a map (e.g. '
            f"out_indices=(4, ) for MobileFormer/ResNet, out_type='featmap' for "
            f'VisionTransformer)')
    return maps[-1]


def pooled_embedding(backbone, x: torch.Tensor, owner: str) -> torch.Tensor:
    """(N, 3, h, w) -> (N, C): global average pool of ``backbone``'s last map."""
    return last_feature_map(backbone(x), owner).mean(dim=(2, 3))

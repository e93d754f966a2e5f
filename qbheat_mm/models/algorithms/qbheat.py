"""QB-Heat (Chen et al., arXiv 2211.13228): masked image modeling guided by the heat equation."""
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import last_feature_map


@MODELS.register_module()
class QBHeat(BaseSelfSupervisor):
    """Quarter-block heat-equation pretraining.

    Only the visible top-left quarter of each augmented image is encoded; the
    neck (:class:`HeatExtrapolationNeck`) extrapolates its features linearly
    to the three masked quarters, and the head (:class:`QBHeatHead`) decodes
    the full map to pixels and scores the reconstruction:
    crop quarter -> backbone -> neck -> head.loss.

    Args:
        backbone (dict): Any backbone whose last output is a (B, C, h, w) map
            at stride ``feature_stride`` (Mobile-Former, ResNet, ...).
        neck (dict): Heat-extrapolation neck config.
        head (dict): QB-Heat head config.
        feature_stride (int): Output stride of the backbone's last map. The
            image side must be divisible by ``2 * feature_stride``.
        visible_block (str): ``'top_left'`` (the paper's Fig. 1) or
            ``'random'``: flip each image so that a random corner becomes the
            top-left one (the target is flipped alike).
        encoder_input (str): ``'quarter'`` (QB-Heat: encode only the visible
            quarter, extrapolate with the neck) or ``'masked_full'`` (ablation:
            encode the whole image with the three masked quarters zeroed; the
            encoder's own full map goes to the same decoder and loss, and the
            neck is unused).
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    visible_blocks = ('top_left', 'random')
    encoder_inputs = ('quarter', 'masked_full')

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 feature_stride: int = 32,
                 visible_block: str = 'top_left',
                 encoder_input: str = 'quarter',
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if visible_block not in self.visible_blocks:
            raise ValueError(f'QBHeat: visible_block={visible_block!r} is not supported; '
                             f'choose one of {self.visible_blocks}')
        if encoder_input not in self.encoder_inputs:
            raise ValueError(f'QBHeat: encoder_input={encoder_input!r} is not supported; '
                             f'choose one of {self.encoder_inputs}')
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.feature_stride = feature_stride
        self.visible_block = visible_block
        self.encoder_input = encoder_input

    def check_size(self, inputs: torch.Tensor) -> None:
        """Raise one clear error unless both image sides tile into quarters of whole cells."""
        if inputs.dim() != 4:
            raise ValueError(f'QBHeat expects a (B, C, H, W) batch, got {tuple(inputs.shape)}')
        h, w = inputs.shape[-2:]
        unit = 2 * self.feature_stride
        if h % unit or w % unit:
            raise ValueError(
                f'QBHeat: image size {h}x{w} does not split into quarters of whole '
                f'{self.feature_stride}-pixel cells; both sides must be divisible by '
                f'2 * feature_stride = {unit} (e.g. {max(unit, h // unit * unit)}x'
                f'{max(unit, w // unit * unit)}); change the crop size or feature_stride')

    def flip_random_corner(self, inputs: torch.Tensor) -> torch.Tensor:
        """Flip each image so that a random corner becomes the top-left one."""
        b = inputs.size(0)
        flips = torch.randint(0, 2, (2, b, 1, 1, 1), device=inputs.device).bool()
        inputs = torch.where(flips[0], inputs.flip(-1), inputs)
        return torch.where(flips[1], inputs.flip(-2), inputs)

    def _check_cells(self, feats: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
        expected = (size[0] // self.feature_stride, size[1] // self.feature_stride)
        if tuple(feats.shape[-2:]) != expected:
            raise ValueError(
                f'QBHeat: the backbone maps a {size[0]}x{size[1]} input to '
                f'{tuple(feats.shape[-2:])}, expected {expected} at feature_stride='
                f'{self.feature_stride}; set feature_stride to the backbone\'s output stride')
        return feats

    def encode_visible(self, inputs: torch.Tensor) -> torch.Tensor:
        """Encode only the top-left quarter: (B, 3, H, W) -> (B, C, H/2s, W/2s)."""
        h, w = inputs.shape[-2:]
        feats = last_feature_map(self.backbone(inputs[..., :h // 2, :w // 2]), 'QBHeat')
        return self._check_cells(feats, (h // 2, w // 2))

    def predict_full(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Visible-quarter features (B, C, h, w) and the full map (B, C, 2h, 2w)."""
        if self.encoder_input == 'masked_full':
            h, w = inputs.shape[-2:]
            masked = torch.zeros_like(inputs)
            masked[..., :h // 2, :w // 2] = inputs[..., :h // 2, :w // 2]
            full = self._check_cells(last_feature_map(self.backbone(masked), 'QBHeat'),
                                     (h, w))
            return full[..., :full.shape[-2] // 2, :full.shape[-1] // 2], full
        visible = self.encode_visible(inputs)
        return visible, self.neck(visible)

    def loss(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
             data_samples: Optional[List[DataSample]] = None,
             **kwargs) -> Dict[str, torch.Tensor]:
        """Reconstruction loss of one batch, plus heat-operator diagnostics.

        Args:
            inputs (Tensor | list[Tensor]): (B, 3, H, W) augmented images (a
                one-view list is accepted too).
            data_samples (list[DataSample], optional): Unused.

        Returns:
            dict: ``loss`` and, when the neck logs them, ``heat_*`` scalars.
        """
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        self.check_size(inputs)
        if self.visible_block == 'random' and self.training:
            inputs = self.flip_random_corner(inputs)
        visible, full = self.predict_full(inputs)
        losses = dict(loss=self.head.loss(full, inputs))
        if self.encoder_input == 'quarter' and hasattr(self.neck, 'diagnostics'):
            losses.update(self.neck.diagnostics(*visible.shape[-2:]))
        return losses

"""QB-Heat head: decode the extrapolated feature map to pixels and score the reconstruction."""
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class QBHeatHead(BaseModule):
    """Decoder + pixel reconstruction loss of QB-Heat.

    The decoder maps the full (extrapolated) feature map to one pixel patch
    per cell; the target is the whole augmented image cut into the same
    patches, per-patch normalised by default (MAE's normalised pixels). The
    loss averages over the cells of the three masked quarters by default.

    Args:
        decoder (dict): Decoder config, e.g. ``QBHeatTransformerDecoder`` or
            ``QBHeatConvDecoder``; it gets ``patch_size`` from this head.
        patch_size (int): Pixels per cell side (the encoder's stride).
        loss (dict): Loss config; defaults to mmpretrain's
            ``PixelReconstructionLoss`` with L2.
        norm_pix (bool): Per-patch normalised target (True) or raw pixels.
        loss_region (str): ``'masked'`` (the three masked quarters) or
            ``'full'`` (every cell).
        in_channels (int): Image channels. Defaults to 3.

    Shape:
        - feats: (B, C, H', W') extrapolated map, H' = H / patch_size
        - target: (B, 3, H, W) augmented image
    """

    regions = ('masked', 'full')

    def __init__(self,
                 decoder: dict,
                 patch_size: int = 32,
                 loss: Optional[dict] = None,
                 norm_pix: bool = True,
                 loss_region: str = 'masked',
                 in_channels: int = 3,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if loss_region not in self.regions:
            raise ValueError(f'QBHeatHead: loss_region={loss_region!r} is not supported; '
                             f'choose one of {self.regions}')
        self.patch_size = patch_size
        self.norm_pix = norm_pix
        self.loss_region = loss_region
        self.in_channels = in_channels
        self.decoder = MODELS.build(dict(decoder, patch_size=patch_size,
                                         out_channels=in_channels))
        self.loss_module = MODELS.build(loss or dict(type='PixelReconstructionLoss',
                                                     criterion='L2'))

    def patchify(self, imgs: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, H/p * W/p, p * p * 3), cells row-major, pixels (p, p, 3)."""
        p = self.patch_size
        b, c, h, w = imgs.shape
        x = imgs.reshape(b, c, h // p, p, w // p, p)
        return x.permute(0, 2, 4, 3, 5, 1).reshape(b, (h // p) * (w // p), p * p * c)

    def unpatchify(self, x: torch.Tensor, grid: Tuple[int, int]) -> torch.Tensor:
        """Inverse of :meth:`patchify` for a (rows, cols) cell grid."""
        p, c = self.patch_size, self.in_channels
        gh, gw = grid
        x = x.reshape(x.size(0), gh, gw, p, p, c)
        return x.permute(0, 5, 1, 3, 2, 4).reshape(x.size(0), c, gh * p, gw * p)

    @staticmethod
    def patch_statistics(patches: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Per-patch mean and standard deviation (variance + 1e-6, as MAE) of
        (B, N, p * p * 3) patches (:meth:`patchify`): two (B, N, 1) tensors."""
        return (patches.mean(dim=-1, keepdim=True),
                (patches.var(dim=-1, keepdim=True) + 1.e-6) ** .5)

    def construct_target(self, target: torch.Tensor) -> torch.Tensor:
        """Patchified target, per-patch normalised if ``norm_pix``."""
        target = self.patchify(target)
        if self.norm_pix:
            mean, std = self.patch_statistics(target)
            target = (target - mean) / std
        return target

    @staticmethod
    def masked_cells(grid: Tuple[int, int], device=None) -> torch.Tensor:
        """(rows * cols,) float mask: 0 on the visible top-left quarter, 1 elsewhere."""
        gh, gw = grid
        rows = torch.arange(gh, device=device).view(-1, 1) >= gh // 2
        cols = torch.arange(gw, device=device).view(1, -1) >= gw // 2
        return (rows | cols).flatten().float()

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """Decoded patches (B, H' * W', p * p * 3)."""
        return self.decoder(feats)

    def loss(self, feats: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Reconstruction loss of the decoded ``feats`` against the image ``target``."""
        grid = tuple(feats.shape[-2:])
        expected = (grid[0] * self.patch_size, grid[1] * self.patch_size)
        if tuple(target.shape[-2:]) != expected:
            raise ValueError(f'QBHeatHead: a {grid[0]}x{grid[1]} feature map at patch_size '
                             f'{self.patch_size} covers {expected[0]}x{expected[1]} pixels, but '
                             f'the target is {tuple(target.shape[-2:])}; set patch_size to the '
                             "encoder's output stride")
        return self.loss_by_pred(self(feats), target, grid)

    def loss_by_pred(self, pred: torch.Tensor, target: torch.Tensor,
                     grid: Tuple[int, int]) -> torch.Tensor:
        """Loss of decoded patches (B, rows * cols, p * p * 3) against the image target."""
        target = self.construct_target(target)
        mask = None
        if self.loss_region == 'masked':
            mask = self.masked_cells(grid, pred.device).expand(pred.size(0), -1)
        return self.loss_module(pred, target, mask)

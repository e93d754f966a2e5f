"""GTSA's convolutional projector: dense (per-position) projection of a stride-16 map."""
from typing import List, Optional, Union

import torch
from mmengine.model import BaseModule
from mmpretrain.models.utils import LayerNorm2d
from mmpretrain.registry import MODELS
from torch import nn


class GTSAConvBlock(nn.Module):
    """Conv k x k -> channel LayerNorm without affine -> GELU, with an optional residual.

    ``depthwise=True`` replaces the dense k x k conv by a depthwise k x k + pointwise 1 x 1
    pair (the lightweight-backbone choice; same receptive field, ~C/k^2 fewer MACs).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 depthwise: bool = False, residual: bool = True) -> None:
        super().__init__()
        pad = kernel_size // 2
        if depthwise:
            self.conv = nn.Sequential(
                nn.Conv2d(in_channels, in_channels, kernel_size, padding=pad,
                          groups=in_channels),
                nn.Conv2d(in_channels, out_channels, 1))
        else:
            self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=pad)
        # nn.LayerNorm's default eps, as the official projector and predictor
        self.norm = LayerNorm2d(out_channels, eps=1e-5, elementwise_affine=False)
        self.act = nn.GELU()
        self.residual = residual and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self.norm(self.conv(x)))
        return x + y if self.residual else y


@MODELS.register_module()
class GTSAProjector(BaseModule):
    """``num_blocks`` :class:`GTSAConvBlock` (residual where the width is kept) and a 1 x 1
    output conv; official ViT-S/16 widths 384 -> 384 -> 768.

    (B, in_channels, h, w) -> (B, out_channels, h, w): every position is projected, so the
    crop loss can RoI-pool it and the correspondence loss can match positions.

    Args:
        in_channels (int): Channels of the backbone map.
        hid_channels (int): Width of the conv blocks. Defaults to 384.
        out_channels (int): Output channels. Defaults to 768.
        num_blocks (int): Conv blocks. Defaults to 2.
        kernel_size (int): Conv kernel. Defaults to 3.
        depthwise (bool): Depthwise-separable blocks. Defaults to False (official).
        residual (bool): Residual blocks (where in == out width). Defaults to True.
        init_cfg (dict | list[dict], optional): Defaults to the official truncated normal
            (std 0.02) with zero bias.
    """

    def __init__(self,
                 in_channels: int,
                 hid_channels: int = 384,
                 out_channels: int = 768,
                 num_blocks: int = 2,
                 kernel_size: int = 3,
                 depthwise: bool = False,
                 residual: bool = True,
                 init_cfg: Optional[Union[dict, List[dict]]] = dict(
                     type='TruncNormal', layer='Conv2d', std=0.02, bias=0.)) -> None:
        super().__init__(init_cfg=init_cfg)
        widths = [in_channels] + [hid_channels] * num_blocks
        self.blocks = nn.Sequential(*[
            GTSAConvBlock(widths[i], widths[i + 1], kernel_size, depthwise, residual)
            for i in range(num_blocks)])
        self.proj = nn.Conv2d(widths[-1], out_channels, 1)
        self.in_channels, self.out_channels = in_channels, out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_channels, h, w) -> (B, out_channels, h, w)."""
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'{type(self).__name__}: expected a (B, {self.in_channels}, h, w) map, got '
                f'{tuple(x.shape)}; set in_channels to the width of the backbone map the '
                f'algorithm uses (its feature_index output)')
        return self.proj(self.blocks(x))

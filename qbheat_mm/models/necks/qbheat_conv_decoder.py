"""Light convolutional decoder: full feature map -> per-cell pixel patches."""
from typing import Optional

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class QBHeatConvDecoder(BaseModule):
    """``depth`` x (conv 3x3 + BN + ReLU) at width D, then a 1x1 conv to
    ``patch_size**2 * out_channels`` values per cell (a pixel shuffle by the
    stride, done by the head's unpatchify).

    Args:
        in_channels (int): Channels C of the extrapolated map.
        patch_size (int): Pixels per cell side (the encoder's stride).
        embed_dims (int): Width D. Defaults to 256.
        depth (int): Conv blocks. Defaults to 2.
        out_channels (int): Image channels. Defaults to 3.
        norm_cfg (dict): Norm layer. Defaults to BN.

    Shape:
        - input: (B, C, H', W')
        - output: (B, H' * W', patch_size**2 * out_channels), cells row-major
    """

    def __init__(self, in_channels: int, patch_size: int, embed_dims: int = 256,
                 depth: int = 2, out_channels: int = 3, norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg or [
            dict(type='Kaiming', layer='Conv2d', mode='fan_out', nonlinearity='relu')])
        self.patch_size = patch_size
        self.convs = nn.Sequential(*[
            ConvModule(in_channels if i == 0 else embed_dims, embed_dims, 3, padding=1,
                       norm_cfg=norm_cfg or dict(type='BN'), act_cfg=dict(type='ReLU'))
            for i in range(depth)])
        self.pred = nn.Conv2d(embed_dims if depth else in_channels,
                              patch_size ** 2 * out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pred(self.convs(x)).flatten(2).transpose(1, 2)

"""The "not the heat equation" control of QB-Heat's ablations: a non-linear extrapolator."""
from typing import Optional

import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class MLPExtrapolationNeck(BaseModule):
    """Predict each masked quarter from the visible one with a small per-position MLP.

    Same interface as :class:`HeatExtrapolationNeck` (visible (B, C, h, w) -> full
    (B, C, 2h, 2w)), but top-right, bottom-left and bottom-right are
    z + MLP_q(z), q in {right, below, corner}, each MLP Linear C -> rC, GELU,
    Linear rC -> C applied at every position, the last layer zero-initialised so that the
    neck starts as a copy of the visible block (as the heat neck's identity steps). No
    linear relation between neighbours is imposed: the control for the paper's hypothesis.

    Args:
        in_channels (int): Channels C.
        hidden_ratio (float): Hidden width r C. Defaults to 1.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, in_channels: int, hidden_ratio: float = 1.,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        hidden = max(1, int(hidden_ratio * in_channels))
        self.in_channels = in_channels
        self.mlps = nn.ModuleDict({
            q: nn.Sequential(nn.Conv2d(in_channels, hidden, 1), nn.GELU(),
                             nn.Conv2d(hidden, in_channels, 1))
            for q in ('right', 'below', 'corner')})

    def init_weights(self) -> None:
        super().init_weights()
        for mlp in self.mlps.values():
            nn.init.zeros_(mlp[-1].weight)
            nn.init.zeros_(mlp[-1].bias)

    def forward(self, inputs) -> torch.Tensor:
        z = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        if z.dim() != 4 or z.size(1) != self.in_channels:
            raise ValueError(f'MLPExtrapolationNeck expects (B, {self.in_channels}, h, w) '
                             f'features of the visible quarter, got {tuple(z.shape)}')
        right, below, corner = (z + self.mlps[q](z) for q in ('right', 'below', 'corner'))
        return torch.cat((torch.cat((z, right), -1), torch.cat((below, corner), -1)), -2)

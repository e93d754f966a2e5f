"""GTSA's rotation-prediction head: which of the four quarter turns a crop received."""
from typing import List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class GTSARotationHead(BaseModule):
    """MLP on the pooled backbone features -> 4 logits, trained with cross-entropy.

    Official layout (ViT-S, mean patch token): Linear C->768, LN, GELU, Linear 768->768, LN,
    GELU, Linear 768->128, LN, Linear 128->4. ``in_channels=None`` lets :class:`GTSA` fill in
    the backbone's width (the official head hard-codes 384).

    Args:
        in_channels (int, optional): Width of the pooled features.
        hid_channels (int): Hidden width. Defaults to 768.
        bottleneck_channels (int): Width before the classifier. Defaults to 128.
        num_classes (int): Rotations. Defaults to 4.
        init_cfg (dict | list[dict], optional): Defaults to truncated normal std 0.02.
    """

    def __init__(self,
                 in_channels: Optional[int] = None,
                 hid_channels: int = 768,
                 bottleneck_channels: int = 128,
                 num_classes: int = 4,
                 init_cfg: Optional[Union[dict, List[dict]]] = dict(
                     type='TruncNormal', layer='Linear', std=0.02, bias=0.)) -> None:
        super().__init__(init_cfg=init_cfg)
        if in_channels is None:
            raise ValueError('GTSARotationHead: in_channels is not set; build it through GTSA '
                             '(which reads the backbone width) or give in_channels')
        self.num_classes = num_classes
        self.mlp = nn.Sequential(
            nn.Linear(in_channels, hid_channels), nn.LayerNorm(hid_channels), nn.GELU(),
            nn.Linear(hid_channels, hid_channels), nn.LayerNorm(hid_channels), nn.GELU(),
            nn.Linear(hid_channels, bottleneck_channels), nn.LayerNorm(bottleneck_channels),
            nn.Linear(bottleneck_channels, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C) pooled features -> (B, num_classes) logits."""
        return self.mlp(x)

    def loss(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of (B, C) features against (B, ) rotation labels in 0..3."""
        if labels.numel() and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f'GTSARotationHead: rotation labels must lie in 0..{self.num_classes - 1}, got '
                f'{sorted(set(labels.tolist()))}; the labels are the quarter turns k that '
                f'GTSAMultiCrop writes to gtsa_rot (k x 90 degrees, k in 0..3)')
        return F.cross_entropy(self.forward(x), labels.long())

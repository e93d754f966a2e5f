"""Mobile-Former classification head (final bridge, 1x1 conv, pool + first token, two FCs)."""
from typing import List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmpretrain.models.heads import ClsHead
from mmpretrain.registry import MODELS
from torch import nn

from ..backbones.mobile_former import MobileFormer
from ..utils.bridges import MobileToFormer
from ..utils.channel_shuffle import ChannelShuffle


@MODELS.register_module()
class MobileFormerClsHead(ClsHead):
    """The released Mobile-Former classifier.

    Steps: a final Mobile->Former bridge updates the tokens from the last
    map; 1x1 conv (C -> 6C) + BN + ReLU6; global average pool + h-swish;
    concatenation with the first token; Linear -> BatchNorm1d -> h-swish ->
    Dropout -> Linear(num_classes).

    The widths come from ``arch`` (the same table as :class:`MobileFormer`);
    the explicit arguments override it.

    Args:
        num_classes (int): Number of classes.
        arch (str | dict): Mobile-Former arch, default ``'294m'``.
        in_channels (int, optional): Channels of the last map.
        token_dims (int, optional): Token width d.
        hidden_channels (int, optional): Width F of the first FC layer.
        expand_ratio (int): Width of the 1x1 conv is ``expand_ratio * C``.
        groups (int, optional): Groups of the 1x1 conv (4 for MF-26M, with a
            channel shuffle before it).
        dropout (float, optional): Dropout before the classifier.
        bridge_heads (int): Heads of the final bridge.
        drop_path_rate (float): Drop path of the final bridge's token update. The
            authors give it the backbone's full ``drop_path_rate`` (the blocks get a
            rate growing linearly to it): set both to the same value. Defaults to 0.
        token_drop_mode (str): ``'token'`` (the authors') or ``'sample'``, as the
            backbone's.
        norm_cfg (dict): Norm of the 1x1 conv. Defaults to BN.

    Shape:
        - feats: tuple whose last two items are the map (B, C, h, w) and the
          tokens (B, M, d) (backbone with ``return_tokens=True``)
        - output: (B, num_classes)
    """

    def __init__(self,
                 num_classes: int,
                 arch: Union[str, dict] = '294m',
                 in_channels: Optional[int] = None,
                 token_dims: Optional[int] = None,
                 hidden_channels: Optional[int] = None,
                 expand_ratio: int = 6,
                 groups: Optional[int] = None,
                 dropout: Optional[float] = None,
                 bridge_heads: int = 2,
                 drop_path_rate: float = 0.,
                 token_drop_mode: str = 'token',
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = (
                     dict(type='Kaiming', layer='Conv2d', mode='fan_out', nonlinearity='relu',
                          distribution='normal'),
                     dict(type='Normal', layer='Linear', std=0.01, bias=0.)),
                 **kwargs) -> None:
        super().__init__(init_cfg=list(init_cfg) if init_cfg else None, **kwargs)
        if num_classes <= 0:
            raise ValueError(
                f'MobileFormerClsHead: num_classes must be positive, got {num_classes}')
        settings = MobileFormer.get_arch(arch)
        in_channels = in_channels or settings['blocks'][-1][2]
        token_dims = token_dims or settings['token_dims']
        hidden_channels = hidden_channels or settings['head_channels']
        groups = groups or settings['groups']
        dropout = settings['dropout'] if dropout is None else dropout
        self.num_classes = num_classes
        mid = expand_ratio * in_channels

        self.local_global = MobileToFormer(in_channels, token_dims, bridge_heads,
                                           drop_path_rate, token_drop_mode)
        # Index 0 is a placeholder where MF-26M shuffles, as in the released ``classifier.conv``.
        self.conv = nn.Sequential(
            ChannelShuffle(groups) if groups > 1 else nn.Identity(),
            nn.Conv2d(in_channels, mid, 1, groups=groups, bias=False),
            build_norm_layer(norm_cfg or dict(type='BN'), mid)[1],
            nn.ReLU6(inplace=True))
        self.fc1 = nn.Linear(mid + token_dims, hidden_channels)
        self.norm1 = nn.BatchNorm1d(hidden_channels)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_channels, num_classes)

    def pre_logits(self, feats: Tuple[torch.Tensor, ...]) -> torch.Tensor:
        """Features before the last Linear, (B, F)."""
        if len(feats) < 2 or feats[-1].dim() != 3 or feats[-2].dim() != 4:
            raise ValueError('MobileFormerClsHead needs (map, tokens) from the backbone: build '
                             'MobileFormer with return_tokens=True and out_indices=(4,)')
        x, tokens = feats[-2], feats[-1]
        tokens = self.local_global(x, tokens)
        x = F.hardswish(F.adaptive_avg_pool2d(self.conv(x), 1).flatten(1))
        x = torch.cat((x, tokens[:, 0]), dim=1)
        return self.dropout(F.hardswish(self.norm1(self.fc1(x))))

    def forward(self, feats: Tuple[torch.Tensor, ...]) -> torch.Tensor:
        return self.fc2(self.pre_logits(feats))

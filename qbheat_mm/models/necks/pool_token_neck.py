"""Linear-probe features: global average pool of the last map [+ the first global token]."""
from typing import Sequence, Tuple

import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..utils import last_feature_map


@MODELS.register_module()
class PoolTokenNeck(BaseModule):
    """Global-average-pool the last (B, C, h, w) map; with ``with_token=True``
    concatenate the backbone's first global token (last output, (B, M, d)).

    Shape:
        - inputs: tuple of maps [and tokens]
        - output: ((B, C [+ d]), )
    """

    def __init__(self, with_token: bool = False, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.with_token = with_token

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        pooled = last_feature_map(inputs, 'PoolTokenNeck').mean(dim=(2, 3))
        if self.with_token:
            if inputs[-1].dim() != 3:
                raise ValueError('PoolTokenNeck(with_token=True) needs the backbone tokens: '
                                 'build it with return_tokens=True')
            pooled = torch.cat((pooled, inputs[-1][:, 0]), dim=1)
        return (pooled, )

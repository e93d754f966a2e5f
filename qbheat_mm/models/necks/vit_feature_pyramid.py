"""A feature pyramid from a plain ViT's stride-16 maps, for mmdet detectors."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
from mmcv.cnn import build_norm_layer
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.model import BaseModule
from torch import nn


@MMDET_MODELS.register_module()
class ViTFeaturePyramid(BaseModule):
    """Turn four stride-16 ViT maps into strides 4, 8, 16 and 32, then run an FPN.

    The BEiT/MAE detection recipe that GTSA's Mask R-CNN uses: map 0 is upsampled x4 by two
    2 x 2 transposed convs (norm + GELU between), map 1 x2 by one, map 2 is kept, map 3 is
    max-pooled x2; the four go to ``fpn`` (mmdet's stock ``FPN`` by default).

    Inputs: 4 tensors (B, C, H/16, W/16) (``VisionTransformer(out_type='featmap',
    out_indices=(3, 5, 7, 11))`` for ViT-S/16). Outputs: the FPN's maps.

    Args:
        in_channels (int): ViT width C. Defaults to 384 (ViT-S).
        fpn (dict): The FPN on top; its ``in_channels`` are set to 4 x C.
        norm_cfg (dict): Norm between the two transposed convs. Defaults to SyncBN.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 384,
                 fpn: dict = dict(type='FPN', out_channels=256, num_outs=5),
                 norm_cfg: dict = dict(type='SyncBN', requires_grad=True),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        c = in_channels
        self.up4 = nn.Sequential(
            nn.ConvTranspose2d(c, c, 2, stride=2), build_norm_layer(norm_cfg, c)[1], nn.GELU(),
            nn.ConvTranspose2d(c, c, 2, stride=2))
        self.up2 = nn.ConvTranspose2d(c, c, 2, stride=2)
        self.down2 = nn.MaxPool2d(2, stride=2)
        self.fpn = MMDET_MODELS.build(dict(fpn, in_channels=[c] * 4))
        self.in_channels = in_channels

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, ...]:
        """4 x (B, C, h, w) -> FPN outputs (strides 4, 8, 16, 32[, 64])."""
        maps = [x for x in inputs if x.dim() == 4]
        if len(maps) != 4 or any(m.shape[1] != self.in_channels for m in maps):
            raise ValueError(
                f'ViTFeaturePyramid needs 4 maps of {self.in_channels} channels, got '
                f'{[tuple(m.shape) for m in inputs]}; set the ViT backbone to '
                f"out_type='featmap', out_indices=(3, 5, 7, 11) and in_channels to its width")
        return self.fpn((self.up4(maps[0]), self.up2(maps[1]), maps[2], self.down2(maps[3])))

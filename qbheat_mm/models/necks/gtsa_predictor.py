"""GTSA's convolutional predictor on top of the student's projector."""
from typing import List, Optional, Union

from mmpretrain.registry import MODELS

from .gtsa_projector import GTSAProjector


@MODELS.register_module()
class GTSAPredictor(GTSAProjector):
    """The student-only predictor: one conv block without residual and a 1 x 1 conv, official
    widths 768 -> 768 -> 768. (B, in_channels, h, w) -> (B, out_channels, h, w).

    Args: as :class:`GTSAProjector`, with the predictor's defaults.
    """

    def __init__(self,
                 in_channels: int = 768,
                 hid_channels: int = 768,
                 out_channels: int = 768,
                 num_blocks: int = 1,
                 kernel_size: int = 3,
                 depthwise: bool = False,
                 residual: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = dict(
                     type='TruncNormal', layer='Conv2d', std=0.02, bias=0.)) -> None:
        super().__init__(in_channels, hid_channels, out_channels, num_blocks, kernel_size,
                         depthwise, residual, init_cfg)

"""Mobile-Former backbone + released head as one module (the model the paper's figures describe)."""
import torch
from torch import nn

from ..models import MobileFormer, MobileFormerClsHead


class MobileFormerClassifier(nn.Module):
    """``backbone`` (MobileFormer returning the stride-32 map and tokens) and ``head``
    (MobileFormerClsHead); state-dict keys are ``backbone.*`` and ``head.*`` as in an
    mmpretrain ImageClassifier.

    Shape:
        - input: (B, 3, H, W)
        - output: (B, num_classes) logits
    """

    def __init__(self, arch: str, num_classes: int = 1000) -> None:
        super().__init__()
        self.backbone = MobileFormer(arch, out_indices=(4, ), return_tokens=True)
        self.head = MobileFormerClsHead(num_classes=num_classes, arch=arch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))

"""Channel shuffle used by the grouped Mobile-Former variant (MF-26M)."""
import torch
from torch import nn


class ChannelShuffle(nn.Module):
    """Interleave ``groups`` contiguous channel groups (ShuffleNet-style).

    Args:
        groups (int): Number of channel groups. The channel count of the input
            must be divisible by it.

    Shape:
        - input: (B, C, H, W)
        - output: (B, C, H, W), channel ``g * (C // groups) + i`` moved to
          ``i * groups + g``.
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        return (x.view(b, self.groups, c // self.groups, h, w).transpose(1, 2)
                .reshape(b, c, h, w))

    def extra_repr(self) -> str:
        return f'groups={self.groups}'

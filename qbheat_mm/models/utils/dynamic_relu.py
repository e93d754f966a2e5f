"""Dynamic ReLU driven by a global token, as used in Mobile-Former's Mobile sub-blocks."""
import torch
import torch.nn.functional as F
from torch import nn


class TokenDynamicReLU(nn.Module):
    """Channel-wise dynamic ReLU with two slopes, y = max(a1 * x, a2 * x).

    The slopes come from a "hyper" MLP applied to one global token
    (Linear(d, d/r) -> ReLU -> Linear(d/r, 2C) -> hard-sigmoid s), with
    a1 = 2 * s1 in [0, 2] and a2 = 2 * s2 - 1 in [-1, 1]. At the usual
    initialisation (small weights, zero bias) s is close to 0.5, so the
    layer starts as a plain ReLU without upper clip.

    Args:
        channels (int): Channels C of the feature map it activates.
        token_dims (int): Width d of the global token.
        reduction (int): Hidden width of the MLP is ``token_dims // reduction``.

    Shape:
        - x: (B, C, H, W)
        - token: (B, d)
        - output: (B, C, H, W)
    """

    #: Formula when no gradient is needed (inference, frozen backbones): ``'maximum'``
    #: (one pass, max(a1 x, a2 x), as the authors' code) or ``'relu'`` (the training form).
    #: Both give the same values (tested); ``benchmarks/backbone_latency.py`` times both.
    inference_form = 'maximum'

    def __init__(self, channels: int, token_dims: int, reduction: int = 4) -> None:
        super().__init__()
        self.channels = channels
        # Sequential indices 0 and 2 match the released model's ``hyperN.hyper.{0,2}``.
        self.hyper = nn.Sequential(
            nn.Linear(token_dims, token_dims // reduction), nn.ReLU(inplace=True),
            nn.Linear(token_dims // reduction, 2 * channels))

    def coefficients(self, token: torch.Tensor) -> torch.Tensor:
        """Slopes (B, 2, C, 1, 1): ``[:, 0]`` is a1, ``[:, 1]`` is a2."""
        s = F.hardsigmoid(self.hyper(token)).view(-1, 2, self.channels, 1, 1)
        return torch.stack((2.0 * s[:, 0], 2.0 * s[:, 1] - 1.0), dim=1)

    def forward(self, x: torch.Tensor, token: torch.Tensor) -> torch.Tensor:
        a = self.coefficients(token)
        needs_grad = torch.is_grad_enabled() and (x.requires_grad or a.requires_grad)
        if not needs_grad and self.inference_form == 'maximum':
            return torch.maximum(x * a[:, 0], x * a[:, 1])   # fewest passes over the map
        # max(a1 x, a2 x) = a_max x for x >= 0 and a_min x for x < 0, written as
        # a_min x + (a_max - a_min) relu(x): same values, a cheaper backward than maximum's
        hi, lo = torch.maximum(a[:, 0], a[:, 1]), torch.minimum(a[:, 0], a[:, 1])
        return x * lo + torch.relu(x) * (hi - lo)

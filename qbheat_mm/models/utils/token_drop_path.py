"""Drop path on Mobile-Former's global tokens, as the authors apply it."""
import torch
from torch import nn

TOKEN_DROP_MODES = ('token', 'sample')


class TokenDropPath(nn.Module):
    """Stochastic depth on a (B, M, d) token update.

    ``mode='token'`` (default, the authors' semantics): their tokens are laid
    out (M, B, d) and timm's ``DropPath`` draws one keep / drop per entry of
    the first dimension, so each token index m is kept or dropped for the
    whole batch: mask of shape (1, M, 1). ``mode='sample'``: one draw per image
    for all its tokens, mask (B, 1, 1), what mmcv's ``DropPath`` does on our
    (B, M, d) layout. Kept entries are scaled by 1 / (1 - p); identity in eval
    mode and at p = 0.

    Args:
        drop_prob (float): p.
        mode (str): ``'token'`` or ``'sample'``.
    """

    def __init__(self, drop_prob: float = 0., mode: str = 'token') -> None:
        super().__init__()
        if mode not in TOKEN_DROP_MODES:
            raise ValueError(f'TokenDropPath: mode={mode!r}; choose one of {TOKEN_DROP_MODES}')
        if not 0. <= drop_prob < 1.:
            raise ValueError(f'TokenDropPath: drop_prob={drop_prob} must lie in [0, 1)')
        self.drop_prob, self.mode = drop_prob, mode

    def mask_shape(self, x: torch.Tensor) -> tuple:
        return (1, x.shape[1], 1) if self.mode == 'token' else (x.shape[0], 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, M, d) -> (B, M, d)."""
        if not self.training or self.drop_prob == 0.:
            return x
        keep = 1. - self.drop_prob
        mask = x.new_empty(self.mask_shape(x)).bernoulli_(keep).div_(keep)
        return x * mask

    def extra_repr(self) -> str:
        return f'drop_prob={self.drop_prob}, mode={self.mode!r}'

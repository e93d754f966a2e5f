"""LARS as the official VICReg code applies it (facebookresearch/vicreg, main_vicreg.py)."""
from typing import Callable, Iterable, Optional

import torch
from mmpretrain.registry import OPTIMIZERS
from torch.optim.optimizer import Optimizer


@OPTIMIZERS.register_module()
class VICRegLARS(Optimizer):
    """LARS with the official VICReg update rule.

    For every parameter p with gradient g, per step::

        d  = g + wd * p                       (unless p is excluded from weight decay)
        q  = eta * ||p|| / ||d||              (1 when ||p|| = 0 or ||d|| = 0, or p excluded)
        mu = momentum * mu + q * d
        p  = p - lr * mu

    mmpretrain's :class:`LARS` (the rule of the official LEWEL and BYOL code)
    differs in two ways: its trust ratio is ``eta ||p|| / (||g|| + wd ||p||)``
    (the norms of gradient and decay added, not the norm of their sum) and
    it folds the learning rate into the momentum buffer
    (``mu = momentum * mu + lr * q * d``), so a changing learning rate (the
    warm-up) enters the update at a different time. Both are kept: the
    VICReg configs use this one, the LEWEL configs mmpretrain's.

    Exclusion: with ``exclude_1d=True`` (the official ``exclude_bias_and_norm``
    filter) every 1-D parameter (biases, norm weights) skips both weight decay
    and the trust ratio. A param group with ``lars_exclude=True`` (set through
    ``paramwise_cfg.custom_keys``) is excluded from the trust ratio too, and its
    weight decay comes from the group as usual.

    Args:
        params: Parameters or param groups.
        lr (float): Learning rate.
        weight_decay (float): Defaults to 0.
        momentum (float): Defaults to 0.9.
        eta (float): Trust coefficient. Defaults to 0.001 (official).
        exclude_1d (bool): Official filter for 1-D parameters. Defaults to True.
    """

    def __init__(self, params: Iterable, lr: float, weight_decay: float = 0.,
                 momentum: float = 0.9, eta: float = 0.001, exclude_1d: bool = True) -> None:
        if lr < 0 or weight_decay < 0 or momentum < 0 or eta < 0:
            raise ValueError(f'VICRegLARS: lr={lr}, weight_decay={weight_decay}, '
                             f'momentum={momentum} and eta={eta} must all be >= 0')
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                                      eta=eta, exclude_1d=exclude_1d, lars_exclude=False))

    @torch.no_grad()
    def step(self, closure: Optional[Callable] = None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                excluded = group['exclude_1d'] and p.ndim == 1
                d = p.grad
                if not excluded:
                    d = d.add(p, alpha=group['weight_decay'])
                if not (excluded or group['lars_exclude']):
                    p_norm, d_norm = torch.norm(p), torch.norm(d)
                    one = torch.ones_like(p_norm)
                    q = torch.where(p_norm > 0,
                                    torch.where(d_norm > 0, group['eta'] * p_norm / d_norm, one),
                                    one)
                    d = d.mul(q)
                state = self.state[p]
                if 'mu' not in state:
                    state['mu'] = torch.zeros_like(p)
                mu = state['mu']
                mu.mul_(group['momentum']).add_(d)
                p.add_(mu, alpha=-group['lr'])
        return loss

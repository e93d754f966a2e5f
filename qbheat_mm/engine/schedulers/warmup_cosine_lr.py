"""Linear warm-up from 0, then cosine: the learning rate of the official VICReg code."""
import math

from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler
from mmpretrain.registry import PARAM_SCHEDULERS


@PARAM_SCHEDULERS.register_module()
class WarmupCosineLR(LRSchedulerMixin, _ParamScheduler):
    """Closed-form warm-up + cosine over ``[begin, end)``, t counted from ``begin``::

        lr(t) = base * t / W                                 t < W
        lr(t) = base * q + base * eta_min_ratio * (1 - q)    t >= W,
        q = (1 + cos(pi (t - W) / (T - W))) / 2

    with W = ``warmup`` and T = ``end - begin`` (facebookresearch/vicreg,
    ``adjust_learning_rate``). It replaces the stock LinearLR + CosineAnnealingLR
    pair, which cannot start at lr 0 (LinearLR's recursive form divides by its start
    factor) and reaches the base lr one step before the warm-up ends.

    With ``by_epoch=True`` and ``convert_to_iter_based=True``, ``begin``, ``end``
    and ``warmup`` are given in epochs and converted to iterations.

    Args:
        optimizer: Wrapped optimizer.
        warmup (int): Warm-up length W (epochs or iterations, as ``by_epoch``).
        eta_min_ratio (float): Final lr as a fraction of the base lr. Defaults to 0.001.
        begin, end, last_step, by_epoch, verbose: as mmengine's schedulers.
    """

    def __init__(self, optimizer, warmup: int, eta_min_ratio: float = 0.001, begin: int = 0,
                 end: int = INF, last_step: int = -1, by_epoch: bool = True,
                 verbose: bool = False) -> None:
        if end == INF or not 0 <= warmup < end - begin:
            raise ValueError(f'WarmupCosineLR: needs a finite end and 0 <= warmup < end - '
                             f'begin, got warmup={warmup}, begin={begin}, end={end}')
        self.warmup, self.eta_min_ratio = warmup, eta_min_ratio
        super().__init__(optimizer, begin=begin, end=end,
                         last_step=last_step, by_epoch=by_epoch, verbose=verbose)

    @classmethod
    def build_iter_from_epoch(cls, *args, warmup: int, begin=0, end=INF, by_epoch=True,
                              epoch_length=None, **kwargs):
        """Convert ``warmup`` together with ``begin`` / ``end`` from epochs to iterations."""
        if not by_epoch or not epoch_length:
            raise ValueError('WarmupCosineLR: convert_to_iter_based needs by_epoch=True and '
                             'the epoch length')
        end = end if end == INF else int(end * epoch_length)
        return cls(*args, warmup=int(warmup * epoch_length), begin=int(begin * epoch_length),
                   end=end, by_epoch=False, **kwargs)

    def _get_value(self) -> list:
        t, w, total = self.last_step, self.warmup, self.end - self.begin
        if t < w:
            return [base * t / w for base in self.base_values]
        q = 0.5 * (1 + math.cos(math.pi * (t - w) / (total - w)))
        return [base * q + base * self.eta_min_ratio * (1 - q) for base in self.base_values]

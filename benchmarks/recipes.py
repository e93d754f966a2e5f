"""Each method's own optimisation recipe, read from its config and scaled to a study's batch.

A study that compares methods at one batch size (``ssl_study.py --preset imagenette-256``)
takes from each method's pretraining config:

- the optimiser and its parameter-wise rules (``optim_wrapper``, built by mmengine's
  ``build_optim_wrapper``, so weight-decay exclusions and LARS exclusions are the config's);
- the lr scaling rule: the config's lr at ``auto_scale_lr.base_batch_size``, scaled linearly
  to the study's batch (the rule mmengine's ``--auto-scale-lr`` applies);
- the schedule's shape (``param_scheduler``): warm-up fraction and start factor, cosine decay and
  its floor, stretched over the unit's whole step budget.

The lr search multiplies the rule's lr by the same factors for every method.
"""
import math
import os.path as osp
from typing import Callable, Dict, List, Tuple

import torch

from common import REPO

# method -> its pretraining config (the recipe's source of truth)
RECIPE_CONFIGS: Dict[str, str] = {
    'qbheat': 'configs/qbheat/mobileformer-26m_in1k.py',
    'mocov2': 'configs/mocov2/mocov2_mobileformer-294m_8xb32-coslr-200e_in1k.py',
    'vicreg': 'configs/vicreg/vicreg_mobileformer-294m_8xb256-lars-coslr-100e_in1k.py',
    'supervised': 'configs/mobileformer/mobileformer-26m_8xb128_in1k.py',
}


def recipe_config(method: str) -> str:
    """The config whose recipe ``method`` uses (QB-Heat variants share QB-Heat's)."""
    base = method.split('-')[0]
    if base not in RECIPE_CONFIGS:
        raise KeyError(f'no recipe config for method {method!r}; known: {sorted(RECIPE_CONFIGS)}')
    return RECIPE_CONFIGS[base]


def schedule_shape(param_scheduler: List[dict], max_epochs: float) -> dict:
    """The schedule of a config as fractions of its training length.

    Understands the forms used by the recipe configs: ``LinearLR`` warm-up followed by
    ``CosineAnnealingLR``, a lone ``CosineAnnealingLR``, and ``WarmupCosineLR``.

    Returns:
        dict: ``warmup`` (fraction of the run), ``start_factor`` (lr factor at step 0),
        ``eta_min_ratio`` (final lr / peak lr) and ``eta_min`` (an absolute floor, scaled
        with the peak lr by :func:`build_recipe`).
    """
    shape = dict(warmup=0., start_factor=1., eta_min_ratio=0., eta_min=0.)
    for s in param_scheduler:
        kind = s['type']
        if kind == 'LinearLR':
            shape['warmup'] = (s.get('end', 0) - s.get('begin', 0)) / max_epochs
            shape['start_factor'] = s.get('start_factor', 1. / 3)
        elif kind == 'CosineAnnealingLR':
            shape['eta_min'] = s.get('eta_min', 0.) or 0.
            if s.get('eta_min_ratio') is not None:
                shape['eta_min_ratio'] = s['eta_min_ratio']
        elif kind == 'WarmupCosineLR':
            shape['warmup'] = s['warmup'] / max_epochs
            shape['start_factor'] = 0.
            shape['eta_min_ratio'] = s.get('eta_min_ratio', 0.)
        else:
            raise ValueError(f'schedule_shape: scheduler {kind!r} is not understood; '
                             f'add its shape here')
    return shape


def lr_factor(step: int, total: int, shape: dict, base_lr: float) -> float:
    """lr factor (multiplies every group's peak lr) at ``step`` of ``total``: linear warm-up
    from ``start_factor`` over ``warmup * total`` steps, then cosine to the floor (the larger
    of ``eta_min_ratio`` and the config's absolute ``eta_min`` over its lr ``base_lr``, so
    the floor scales with the peak)."""
    warm = int(round(shape['warmup'] * total))
    if step < warm:
        return shape['start_factor'] + (1 - shape['start_factor']) * step / warm
    floor = max(shape['eta_min_ratio'], shape['eta_min'] / base_lr if base_lr else 0.)
    progress = (step - warm) / max(1, total - warm)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1., progress)))


def build_recipe(method: str, model: torch.nn.Module, batch: int, lr_mult: float = 1.
                 ) -> Tuple[torch.optim.Optimizer, Callable[[int, int], None], dict]:
    """(optimiser, ``set_lr(step, total)``, description) of ``method``'s config for
    ``model`` at ``batch`` images per step, its lr scaled by ``batch / base_batch_size``
    and then by ``lr_mult`` (the lr search)."""
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    path = recipe_config(method)
    cfg = Config.fromfile(osp.join(REPO, path))
    from mmengine.logging import MMLogger
    init_default_scope('mmpretrain')
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')           # one INFO line per parameter otherwise
    try:
        wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    finally:
        logger.setLevel(level)
    optim = wrapper.optimizer
    base_batch = cfg.get('auto_scale_lr', {}).get('base_batch_size')
    if base_batch is None:
        raise ValueError(f'{path} has no auto_scale_lr.base_batch_size; the study cannot '
                         f'scale its lr')
    scale = batch / base_batch * lr_mult
    peaks = [g['lr'] * scale for g in optim.param_groups]
    max_epochs = cfg.train_cfg.get('max_epochs') or cfg.train_cfg.get('max_iters')
    shape = schedule_shape(cfg.param_scheduler, max_epochs)
    base_lr = cfg.optim_wrapper.optimizer.lr

    def set_lr(step: int, total: int) -> None:
        factor = lr_factor(step, total, shape, base_lr)
        for group, lr in zip(optim.param_groups, peaks):
            group['lr'] = lr * factor

    info = dict(config=path, optimizer=type(optim).__name__, base_lr=base_lr,
                base_batch=base_batch, lr=base_lr * scale, lr_mult=lr_mult,
                weight_decay=cfg.optim_wrapper.optimizer.get('weight_decay', 0.),
                no_decay_groups=sum(1 for g in optim.param_groups
                                    if g.get('weight_decay', None) == 0),
                **{f'schedule_{k}': v for k, v in shape.items()})
    return optim, set_lr, info

"""The LEWEL / GTSA optimiser constructor leaves the EMA target out with one log line and
builds the same parameter groups as mmengine's default constructor for everything else."""
import logging
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper

from ..conftest import REPO
from ..test_models.test_algorithms.helpers import build

CONFIGS = ['configs/lewel/lewel-b_mobileformer-26m_demo.py',
           'configs/gtsa/gtsa_mobileformer-26m_demo.py']


def groups(wrapper):
    return sorted((id(p), g['lr'], g.get('weight_decay'), g.get('lars_exclude', False))
                  for g in wrapper.optimizer.param_groups for p in g['params']
                  if p.requires_grad)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def logged(fn):
    """Messages the current MMLogger receives while ``fn`` runs, and its result."""
    logger = MMLogger.get_current_instance()
    handler = Collect()
    logger.addHandler(handler)
    try:
        return fn(), handler.lines
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize('config', CONFIGS)
def test_same_groups_and_one_line_for_the_target(config):
    cfg = Config.fromfile(osp.join(REPO, config))
    assert cfg.optim_wrapper.constructor == 'TrainableOnlyOptimWrapperConstructor'
    model = build(cfg.model)
    ours, lines = logged(lambda: build_optim_wrapper(model, cfg.optim_wrapper))
    assert not [m for m in lines if 'requires_grad=False' in m]
    assert [m for m in lines if m.startswith('target_net: ') and 'left out' in m]
    stock_cfg = dict(cfg.optim_wrapper)
    stock_cfg.pop('constructor')
    stock, stock_lines = logged(lambda: build_optim_wrapper(model, stock_cfg))
    assert len([m for m in stock_lines if 'requires_grad=False' in m]) > 100
    assert groups(ours) == groups(stock)
    trainable = sum(p.requires_grad for p in model.parameters())
    assert len(groups(ours)) == trainable

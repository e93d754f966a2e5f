"""Shared helpers of the algorithm tests."""
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS


def build(cfg: dict, max_iters: int = 10):
    """Build and initialise an algorithm in train mode, with ``max_iters`` in the current
    MessageHub (EMA targets' cosine momentum schedules read it)."""
    MessageHub.get_current_instance().update_info('max_iters', max_iters)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.train()

"""Optimiser wrappers that clip each parameter's gradient norm on its own (DINO / GTSA)."""
from typing import List

import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmpretrain.registry import OPTIM_WRAPPERS


def clip_grad_norm_per_param(params: List[torch.Tensor], max_norm: float,
                             norm_type: float = 2.0) -> torch.Tensor:
    """Scale every gradient g with ||g|| > max_norm by max_norm / (||g|| + 1e-6), each
    tensor on its own (the official DINO / GTSA ``clip_gradients``); returns the global
    norm of all gradients before clipping (what mmengine logs as ``grad_norm``)."""
    norms = [torch.nn.utils.clip_grad_norm_(p, max_norm, norm_type) for p in params]
    return torch.linalg.vector_norm(torch.stack(norms), norm_type)


class PerParamClipMixin:
    """Turns ``clip_grad=dict(max_norm=c)`` of an mmengine optimiser wrapper into
    per-parameter clipping (:func:`clip_grad_norm_per_param`) instead of clipping the
    global norm of all gradients together. The AMP wrapper unscales the gradients
    before it clips, as the stock one does."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.clip_grad_kwargs and getattr(self, 'grad_name', None) == 'grad_norm':
            self.clip_func = clip_grad_norm_per_param


@OPTIM_WRAPPERS.register_module()
class PerParamClipOptimWrapper(PerParamClipMixin, OptimWrapper):
    """:class:`OptimWrapper` with per-parameter gradient clipping."""


@OPTIM_WRAPPERS.register_module()
class PerParamClipAmpOptimWrapper(PerParamClipMixin, AmpOptimWrapper):
    """:class:`AmpOptimWrapper` with per-parameter gradient clipping (GPU only, as AMP)."""

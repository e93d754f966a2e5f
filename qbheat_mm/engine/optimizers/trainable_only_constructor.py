"""An optimiser-wrapper constructor that leaves frozen sub-modules out with one log line."""
from typing import List, Optional

from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor
from mmpretrain.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class TrainableOnlyOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's default constructor, except that a sub-module none of whose parameters
    requires gradients (LEWEL's and GTSA's EMA target, a frozen backbone) is skipped as a
    whole with one summary line, instead of one "... is skipped since its
    requires_grad=False" line per parameter (about 355 lines for LEWEL / GTSA on
    Mobile-Former). Parameter groups, ``paramwise_cfg`` and the optimiser are unchanged:
    frozen parameters never receive updates either way."""

    def add_params(self, params: List[dict], module: nn.Module, prefix: str = '',
                   is_dcn_module: Optional[bool] = None) -> None:
        own = list(module.parameters())
        if own and not any(p.requires_grad for p in own):
            print_log(f'{prefix or "model"}: {len(own)} frozen parameter tensors left out of '
                      f'the optimiser', logger='current')
            return
        super().add_params(params, module, prefix, is_dcn_module)

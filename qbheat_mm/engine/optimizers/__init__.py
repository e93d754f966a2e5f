from .per_param_clip_optim_wrapper import (PerParamClipAmpOptimWrapper, PerParamClipOptimWrapper,
                                           clip_grad_norm_per_param)
from .trainable_only_constructor import TrainableOnlyOptimWrapperConstructor
from .vicreg_lars import VICRegLARS

__all__ = ['PerParamClipAmpOptimWrapper', 'PerParamClipOptimWrapper',
           'TrainableOnlyOptimWrapperConstructor', 'VICRegLARS', 'clip_grad_norm_per_param']

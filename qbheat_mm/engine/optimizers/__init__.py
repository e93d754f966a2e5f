from .per_param_clip_optim_wrapper import (PerParamClipAmpOptimWrapper, PerParamClipOptimWrapper,
                                           clip_grad_norm_per_param)
from .vicreg_lars import VICRegLARS

__all__ = ['PerParamClipAmpOptimWrapper', 'PerParamClipOptimWrapper', 'VICRegLARS',
           'clip_grad_norm_per_param']

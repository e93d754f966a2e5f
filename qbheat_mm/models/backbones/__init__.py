from .dino_vision_transformer import DINOVisionTransformer, dino_resize_pos_embed
from .frozen_stages_convnext import FrozenStagesConvNeXt
from .mobile_former import MobileFormer

__all__ = ['DINOVisionTransformer', 'FrozenStagesConvNeXt', 'MobileFormer',
           'dino_resize_pos_embed']

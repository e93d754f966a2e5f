from .dino_vision_transformer import DINOVisionTransformer, dino_resize_pos_embed
from .mobile_former import MobileFormer

__all__ = ['DINOVisionTransformer', 'MobileFormer', 'dino_resize_pos_embed']

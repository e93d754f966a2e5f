from .hue_safe_color_jitter import HueSafeColorJitter, shift_hue
from .random_patch_crop import RandomPatchCrop

__all__ = ['HueSafeColorJitter', 'RandomPatchCrop', 'shift_hue']

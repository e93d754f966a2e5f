from .device_decode import (DecodeCropResize, LoadImageBytes, PackImageBytes, RandomFlipFlag,
                            RandomResizedCropBox)
from .gtsa_multi_crop import GTSAMultiCrop, rotate_box
from .hue_safe_color_jitter import HueSafeColorJitter, shift_hue
from .load_image_or_skip import LoadImageOrSkip
from .random_patch_crop import RandomPatchCrop

__all__ = ['DecodeCropResize', 'LoadImageBytes', 'PackImageBytes', 'RandomFlipFlag', 'RandomResizedCropBox',
           'GTSAMultiCrop', 'HueSafeColorJitter', 'LoadImageOrSkip', 'RandomPatchCrop',
           'rotate_box', 'shift_hue']

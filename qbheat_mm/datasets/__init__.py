from .data_root_check import check_data_roots
from .transforms import HueSafeColorJitter, RandomPatchCrop, shift_hue

__all__ = ['check_data_roots', 'HueSafeColorJitter', 'RandomPatchCrop', 'shift_hue']

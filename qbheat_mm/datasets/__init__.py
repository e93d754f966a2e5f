from .data_root_check import DataRootError, check_data_roots
from .inaturalist import INaturalist
from .transforms import GTSAMultiCrop, HueSafeColorJitter, RandomPatchCrop, rotate_box, shift_hue

__all__ = ['INaturalist', 'DataRootError', 'check_data_roots', 'GTSAMultiCrop', 'HueSafeColorJitter',
           'RandomPatchCrop',
           'rotate_box', 'shift_hue']

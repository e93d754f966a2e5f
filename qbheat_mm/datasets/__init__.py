from .data_root_check import DataRootError, check_data_roots, innermost_dataset
from .inaturalist import INaturalist
from .transforms import GTSAMultiCrop, HueSafeColorJitter, RandomPatchCrop, rotate_box, shift_hue

__all__ = ['INaturalist', 'DataRootError', 'check_data_roots', 'innermost_dataset',
           'GTSAMultiCrop', 'HueSafeColorJitter',
           'RandomPatchCrop',
           'rotate_box', 'shift_hue']

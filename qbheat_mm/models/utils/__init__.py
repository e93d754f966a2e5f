from .feature_map import last_feature_map
from .patch_bag import PATCH_MODES, check_patch_side, crop_patches, patch_boxes

__all__ = ['last_feature_map', 'PATCH_MODES', 'check_patch_side', 'crop_patches', 'patch_boxes']

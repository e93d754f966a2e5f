from .feature_map import last_feature_map, pooled_embedding
from .patch_bag import (PATCH_MODES, check_patch_side, crop_patches, patch_boxes,
                        patch_embeddings)

__all__ = ['last_feature_map', 'pooled_embedding', 'PATCH_MODES', 'check_patch_side',
           'crop_patches', 'patch_boxes', 'patch_embeddings']

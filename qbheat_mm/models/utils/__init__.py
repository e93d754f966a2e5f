from .feature_map import (feature_maps, last_feature_map, output_shapes, pooled_embedding,
                          size_runs)
from .target_ema import TargetEMA
from .patch_bag import (PATCH_MODES, check_patch_side, crop_patches, patch_boxes,
                        patch_embeddings)

__all__ = ['feature_maps', 'last_feature_map', 'output_shapes', 'pooled_embedding', 'size_runs',
           'PATCH_MODES', 'check_patch_side', 'crop_patches', 'patch_boxes', 'patch_embeddings', 'TargetEMA']

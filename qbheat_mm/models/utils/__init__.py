from .device_decode_preprocessor import (DeviceDecodeClsDataPreprocessor,
                                         DeviceDecodeSelfSupDataPreprocessor)
from .feature_map import (feature_maps, last_feature_map, output_shapes, pooled_embedding,
                          size_runs)
from .full_gather import FullGather, distributed_world, gather_batch
from .matrix_estimates import commutator_norm_estimate, krylov_spectral_radius
from .patch_bag import (PATCH_MODES, check_patch_side, crop_patches, patch_boxes,
                        patch_embeddings)
from .target_ema import TargetEMA

__all__ = ['DeviceDecodeClsDataPreprocessor', 'DeviceDecodeSelfSupDataPreprocessor',
           'feature_maps', 'last_feature_map', 'output_shapes', 'pooled_embedding', 'size_runs',
           'FullGather', 'distributed_world', 'gather_batch', 'PATCH_MODES',
           'check_patch_side', 'crop_patches', 'patch_boxes', 'patch_embeddings', 'TargetEMA',
           'commutator_norm_estimate', 'krylov_spectral_radius']

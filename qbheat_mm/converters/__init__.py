from .backbone_checkpoint import extract_backbone
from .gtsa_official import convert_gtsa, rename_dino_vit
from .input_normalization import (IMAGENET, NormalizationMismatchError,
                                  normalization_of_checkpoint, normalization_of_config)
from .lewel_official import convert_lewel
from .mobileformer_official import convert_official, rename_official, unwrap_state_dict

__all__ = ['extract_backbone', 'convert_official', 'rename_official', 'unwrap_state_dict',
           'IMAGENET', 'NormalizationMismatchError', 'normalization_of_checkpoint',
           'normalization_of_config', 'convert_gtsa', 'convert_lewel', 'rename_dino_vit']

from .backbone_checkpoint import extract_backbone
from .input_normalization import (IMAGENET, NormalizationMismatchError,
                                  normalization_of_checkpoint, normalization_of_config)
from .mobileformer_official import convert_official, rename_official, unwrap_state_dict

__all__ = ['extract_backbone', 'convert_official', 'rename_official', 'unwrap_state_dict',
           'IMAGENET', 'NormalizationMismatchError', 'normalization_of_checkpoint',
           'normalization_of_config']

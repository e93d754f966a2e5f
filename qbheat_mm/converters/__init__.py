from .backbone_checkpoint import extract_backbone
from .mobileformer_official import convert_official, rename_official, unwrap_state_dict

__all__ = ['extract_backbone', 'convert_official', 'rename_official', 'unwrap_state_dict']

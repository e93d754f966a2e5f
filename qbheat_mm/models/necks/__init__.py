from .gtsa_predictor import GTSAPredictor
from .gtsa_projector import GTSAProjector
from .heat_extrapolation import HeatExtrapolationNeck
from .lewel_neck import LEWELNeck
from .mlp_extrapolation import MLPExtrapolationNeck
from .pool_token_neck import PoolTokenNeck
from .qbheat_conv_decoder import QBHeatConvDecoder
from .qbheat_transformer_decoder import QBHeatTransformerDecoder
from .transformer_probe_neck import TransformerProbeNeck
from .vit_feature_pyramid import ViTFeaturePyramid

__all__ = ['GTSAPredictor', 'GTSAProjector', 'HeatExtrapolationNeck', 'LEWELNeck',
           'MLPExtrapolationNeck', 'PoolTokenNeck', 'QBHeatConvDecoder', 'QBHeatTransformerDecoder',
           'TransformerProbeNeck', 'ViTFeaturePyramid']

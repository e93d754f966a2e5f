from .heat_extrapolation import HeatExtrapolationNeck
from .lewel_neck import LEWELNeck
from .pool_token_neck import PoolTokenNeck
from .qbheat_conv_decoder import QBHeatConvDecoder
from .qbheat_transformer_decoder import QBHeatTransformerDecoder
from .transformer_probe_neck import TransformerProbeNeck

__all__ = ['HeatExtrapolationNeck', 'LEWELNeck', 'PoolTokenNeck', 'QBHeatConvDecoder',
           'QBHeatTransformerDecoder', 'TransformerProbeNeck']

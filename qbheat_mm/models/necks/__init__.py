from .heat_extrapolation import HeatExtrapolationNeck
from .qbheat_conv_decoder import QBHeatConvDecoder
from .qbheat_transformer_decoder import QBHeatTransformerDecoder

__all__ = ['HeatExtrapolationNeck', 'QBHeatConvDecoder', 'QBHeatTransformerDecoder']

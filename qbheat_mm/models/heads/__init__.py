from .lewel_head import LEWELHead
from .lewel_m_head import LEWELMHead
from .mobile_former_cls_head import MobileFormerClsHead
from .qbheat_head import QBHeatHead

__all__ = ['LEWELHead', 'LEWELMHead', 'MobileFormerClsHead', 'QBHeatHead']

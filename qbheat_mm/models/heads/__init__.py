from .lewel_head import LEWELHead
from .lewel_m_head import LEWELMHead
from .mobile_former_cls_head import MobileFormerClsHead
from .qbheat_head import QBHeatHead
from .vicreg_head import VICRegHead

__all__ = ['LEWELHead', 'LEWELMHead', 'MobileFormerClsHead', 'QBHeatHead', 'VICRegHead']

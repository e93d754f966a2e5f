from .gtsa_head import GTSAHead
from .gtsa_rotation_head import GTSARotationHead
from .lewel_head import LEWELHead
from .lewel_m_head import LEWELMHead
from .mobile_former_cls_head import MobileFormerClsHead
from .qbheat_head import QBHeatHead
from .vicreg_head import VICRegHead

__all__ = ['GTSAHead', 'GTSARotationHead', 'LEWELHead', 'LEWELMHead', 'MobileFormerClsHead',
           'QBHeatHead', 'VICRegHead']

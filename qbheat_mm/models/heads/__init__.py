from .mobile_former_cls_head import MobileFormerClsHead
from .qbheat_head import QBHeatHead

__all__ = ['MobileFormerClsHead', 'QBHeatHead']

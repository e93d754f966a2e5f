from .mobile_former_cls_head import MobileFormerClsHead

__all__ = ['MobileFormerClsHead']

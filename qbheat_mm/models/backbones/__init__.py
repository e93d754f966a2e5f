from .mobile_former import MobileFormer

__all__ = ['MobileFormer']

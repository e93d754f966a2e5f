from .hue_safe_color_jitter import HueSafeColorJitter, shift_hue

__all__ = ['HueSafeColorJitter', 'shift_hue']

from .feature_map import last_feature_map

__all__ = ['last_feature_map']

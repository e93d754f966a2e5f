from .heat_invariance import heat_invariance
from .madds import count_madds
from .mobile_former_classifier import MobileFormerClassifier

__all__ = ['count_madds', 'heat_invariance', 'MobileFormerClassifier']

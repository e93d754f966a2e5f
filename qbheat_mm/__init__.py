"""qbheat_mm: QB-Heat pretraining and Mobile-Former for OpenMMLab (mmpretrain, mmdet).

``import qbheat_mm`` (or ``custom_imports=dict(imports=['qbheat_mm'])``)
registers every component in mmpretrain's registries, and the backbone also
in mmdet's, so configs of either framework can name them directly.
"""
import sys

from .env import check_stack
from .version import __version__, version_info

# `python -m qbheat_mm.env` must print its diagnostics even when the stack is broken,
# so it skips the check and the registrations (which import the frameworks).
if 'qbheat_mm.env' not in getattr(sys, 'orig_argv', ()):
    check_stack()

    from .checkpoint import register_trusted_local_loader
    from .registry import register_all_modules

    register_trusted_local_loader()
    register_all_modules()

__all__ = ['__version__', 'version_info']

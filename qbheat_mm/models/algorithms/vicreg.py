"""VICReg (Bardes, Ponce, LeCun, ICLR 2022): BagSSL's machinery with exactly two views."""
from mmpretrain.registry import MODELS

from .bagssl import BagSSL


@MODELS.register_module()
class VICReg(BagSSL):
    """VICReg: two multi-scale crops per image -> backbone -> expander -> VICReg loss.

    The same computation as :class:`BagSSL` with n = 2 (where
    :class:`VICRegLoss`'s pairwise invariance, averaged variance and
    two-branch covariance equal the original loss exactly); the view count is
    checked (exactly two) and, as in the official code, backbone and expander
    run once per view (``joint_views=False``: per-view BatchNorm statistics).
    """

    def __init__(self, *args, joint_views: bool = False, **kwargs) -> None:
        super().__init__(*args, joint_views=joint_views, **kwargs)

    def check_views(self, inputs):
        if isinstance(inputs, (list, tuple)) and len(inputs) > 2:
            raise ValueError(f'VICReg takes two views per image, got {len(inputs)}; for bags '
                             f"of more views use type='BagSSL'")
        return super().check_views(inputs)

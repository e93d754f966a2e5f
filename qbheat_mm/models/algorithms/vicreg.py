"""VICReg (Bardes, Ponce, LeCun, ICLR 2022): BagSSL's machinery with exactly two views."""
from mmpretrain.registry import MODELS

from .bagssl import BagSSL


@MODELS.register_module()
class VICReg(BagSSL):
    """VICReg: two multi-scale crops per image -> backbone -> expander -> VICReg loss.

    The same computation as :class:`BagSSL` with n = 2 (where
    :class:`VICRegLoss`'s pairwise invariance, averaged variance and
    two-branch covariance equal the original loss exactly); only the view
    count is checked: exactly two.
    """

    def check_views(self, inputs):
        if isinstance(inputs, (list, tuple)) and len(inputs) > 2:
            raise ValueError(f'VICReg takes two views per image, got {len(inputs)}; for bags '
                             f"of more views use type='BagSSL'")
        return super().check_views(inputs)

"""ColorJitter whose hue shift works under NumPy 2.

mmcv 2.1.0's ``adjust_hue`` (both backends) computes ``np.uint8(hue_factor * 255)``, which
NumPy 2 rejects for negative factors (``OverflowError: Python integer -18 out of bounds for
uint8``), so mmpretrain's ``ColorJitter`` with ``hue > 0`` (e.g. the stock MoCo-v2 pipeline)
crashes on about half of the images. This subclass shifts hue with modular integer
arithmetic instead; brightness, contrast and saturation are mmpretrain's own.
"""
from typing import Dict

import cv2
import mmcv
import numpy as np
from mmpretrain.datasets.transforms import ColorJitter
from mmpretrain.registry import TRANSFORMS


def shift_hue(img: np.ndarray, hue_factor: float) -> np.ndarray:
    """Rotate the hue of a BGR uint8 image by ``hue_factor`` turns (in [-0.5, 0.5])."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f'hue_factor {hue_factor} is not in [-0.5, 0.5]')
    hsv = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_BGR2HSV_FULL)
    shift = int(round(hue_factor * 255))
    hsv[..., 0] = ((hsv[..., 0].astype(np.int16) + shift) % 256).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL).astype(img.dtype)


@TRANSFORMS.register_module()
class HueSafeColorJitter(ColorJitter):
    """mmpretrain's ``ColorJitter`` (same arguments, same random order of the four
    adjustments) with a NumPy-2-safe hue shift."""

    def transform(self, results: Dict) -> Dict:
        img = results['img']
        order, brightness, contrast, saturation, hue = self._rand_params()
        for index in order:
            if index == 0 and brightness is not None:
                img = mmcv.adjust_brightness(img, brightness, backend=self.backend)
            elif index == 1 and contrast is not None:
                img = mmcv.adjust_contrast(img, contrast, backend=self.backend)
            elif index == 2 and saturation is not None:
                img = mmcv.adjust_color(img, alpha=saturation, backend=self.backend)
            elif index == 3 and hue is not None:
                img = shift_hue(img, hue)
        results['img'] = img
        return results

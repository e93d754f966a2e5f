"""A random fixed-scale square patch of the image, for BagSSL's bags of patches."""
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomPatchCrop(BaseTransform):
    """Crop a ``patch_size`` x ``patch_size`` square at a uniform random position, then
    optionally resize it to ``output_size`` (e.g. no resize for light backbones, or up to
    224 for ResNet-50).

    mmpretrain's ``RandomCrop`` returns the whole image when the crop is larger than
    it; a patch bag of the wrong scale would then train silently, so this refuses.

    Required keys: ``img``. Modified keys: ``img``, ``img_shape``.

    Args:
        patch_size (int): Patch side in pixels (absolute, of the current image).
        output_size (int, optional): Side after resizing. Defaults to no resize.
        interpolation (str): Resize interpolation. Defaults to ``'bicubic'``.
        backend (str): ``'cv2'`` or ``'pillow'``. Defaults to ``'pillow'``.
    """

    def __init__(self, patch_size: int, output_size: Optional[int] = None,
                 interpolation: str = 'bicubic', backend: str = 'pillow') -> None:
        if patch_size < 1:
            raise ValueError(f'RandomPatchCrop: patch_size={patch_size} must be >= 1')
        self.patch_size, self.output_size = patch_size, output_size
        self.interpolation, self.backend = interpolation, backend

    def transform(self, results: dict) -> dict:
        img = results['img']
        h, w = img.shape[:2]
        p = self.patch_size
        if p > min(h, w):
            raise ValueError(
                f'RandomPatchCrop: patch_size={p} is larger than the {h}x{w} view; resize the '
                f'view to at least {p} px first (e.g. ResizeEdge + CenterCrop) or use smaller '
                f'patches')
        y = np.random.randint(0, h - p + 1)
        x = np.random.randint(0, w - p + 1)
        patch = img[y:y + p, x:x + p]
        if self.output_size and self.output_size != p:
            patch = mmcv.imresize(patch, (self.output_size, self.output_size),
                                  interpolation=self.interpolation, backend=self.backend)
        results['img'] = patch
        results['img_shape'] = patch.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(patch_size={self.patch_size}, '
                f'output_size={self.output_size})')

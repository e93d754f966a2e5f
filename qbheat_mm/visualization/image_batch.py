"""Read image files into a batch the way the training pipeline does (BGR, centre crop)."""
from typing import Sequence

import mmcv
import numpy as np
import torch


def load_image_batch(paths: Sequence[str], size: int) -> torch.Tensor:
    """Read ``paths`` as 3-channel BGR (grayscale files become colour), resize the
    short side to ``size`` and centre-crop to ``size x size``.

    Returns:
        Tensor: (B, 3, size, size) float32 in [0, 255], BGR like ``LoadImageFromFile``.
    """
    if not paths:
        raise ValueError('no images given')
    batch = []
    for path in paths:
        try:
            img = mmcv.imread(path, flag='color')
        except Exception as exc:  # mmcv raises for missing files
            raise OSError(f'cannot read image {path}: {exc}') from exc
        if img is None:
            raise OSError(f'cannot read image {path}: not a decodable image file')
        h, w = img.shape[:2]
        scale = size / min(h, w)
        img = mmcv.imresize(img, (max(size, round(w * scale)), max(size, round(h * scale))),
                            interpolation='bicubic', backend='pillow')
        h, w = img.shape[:2]
        top, left = (h - size) // 2, (w - size) // 2
        batch.append(np.ascontiguousarray(img[top:top + size, left:left + size]))
    return torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).float()

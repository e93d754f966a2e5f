"""Read image files into a batch the way the training pipeline does (BGR, centre crop)."""
import glob
import os.path as osp
from typing import List, Sequence

import mmcv
import numpy as np
import torch


IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


def find_images(folder: str, limit: int) -> List[str]:
    """The first ``limit`` images under ``folder`` (sorted, recursive); one clear error
    (``SystemExit``, for the analysis tools) when there is no folder or no image."""
    if not osp.isdir(folder):
        raise SystemExit(f'{folder} is not a folder of images')
    paths = sorted(p for p in glob.glob(osp.join(folder, '**', '*'), recursive=True)
                   if p.lower().endswith(IMAGE_EXTS))
    if not paths:
        raise SystemExit(f'no images ({", ".join(IMAGE_EXTS)}) under {folder}')
    return paths[:limit]


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

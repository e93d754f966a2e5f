"""The worker half of on-device decoding: read the file bytes and draw the random crop box and
flip, without decoding a pixel. ``DeviceDecodeDataPreprocessor`` decodes, crops, resizes, flips
and normalises the batch on the model's device (nvJPEG on CUDA).

The box and flip are drawn by the same code (and the same ``np.random`` calls, in the same order)
as mmpretrain's ``RandomResizedCrop`` and mmcv's ``RandomFlip``, from the image size in the
file header, so for a given random state both paths crop the same boxes.
"""
import io
from typing import Optional

import numpy as np
import torch
from mmcv.transforms import BaseTransform, RandomFlip
from mmengine.fileio import get
from mmpretrain.datasets.transforms import RandomResizedCrop
from mmpretrain.registry import TRANSFORMS
from mmpretrain.structures import DataSample
from PIL import Image


@TRANSFORMS.register_module()
class LoadImageBytes(BaseTransform):
    """Read an image file's bytes (``img_bytes``, uint8 array) and its size from the header
    (``ori_shape`` = ``img_shape`` = (H, W)); nothing is decoded.

    A JPEG's EXIF orientation is recorded (``exif_orientation``) and the size given in the
    upright frame (width and height swapped for the rotating tags 5-8), as
    ``LoadImageFromFile`` decodes such files upright; the preprocessor then decodes that image
    with the orientation applied.
    """

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        data = get(path)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1) if image.format == 'JPEG' else 1
        except Exception as exc:      # noqa: BLE001
            raise OSError(f'failed to read the image header of {path}: {exc}') from exc
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        results['exif_orientation'] = int(orientation or 1)
        results['img_bytes'] = np.frombuffer(data, dtype=np.uint8)
        results['ori_shape'] = results['img_shape'] = (height, width)
        return results


@TRANSFORMS.register_module()
class RandomResizedCropBox(RandomResizedCrop):
    """``RandomResizedCrop`` (same arguments and random draws) that only records its box as
    ``crop_box`` = (x1, y1, x2, y2), exclusive ends, in pixels of the original image, and the
    output size ``crop_size`` = (H, W)."""

    def transform(self, results: dict) -> dict:
        height, width = results['img_shape'][:2]
        top, left, crop_h, crop_w = self.rand_crop_params(np.empty((height, width, 0), np.uint8))
        results['crop_box'] = (left, top, left + crop_w, top + crop_h)
        results['crop_size'] = tuple(self.scale[::-1])
        results['crop_interpolation'] = self.interpolation
        return results


@TRANSFORMS.register_module()
class RandomFlipFlag(RandomFlip):
    """``RandomFlip`` (same arguments and random draw) that only records ``flip`` and
    ``flip_direction``; only ``'horizontal'`` is supported on the device."""

    def transform(self, results: dict) -> dict:
        direction = self._choose_direction()
        if direction not in (None, 'horizontal'):
            raise ValueError(f"RandomFlipFlag: only 'horizontal' flips, got {direction!r}")
        results['flip'] = direction is not None
        results['flip_direction'] = direction
        return results


@TRANSFORMS.register_module()
class PackImageBytes(BaseTransform):
    """``inputs``: the file bytes as a 1-D uint8 tensor (batch them with ``pseudo_collate``);
    ``data_samples``: a ``DataSample`` with ``crop_box``, ``crop_size``, ``flip`` and the label
    when there is one."""

    def transform(self, results: dict) -> dict:
        sample = DataSample()
        for key in ('img_path', 'ori_shape', 'img_shape', 'crop_box', 'crop_size',
                    'crop_interpolation', 'flip', 'flip_direction', 'sample_idx',
                    'exif_orientation'):
            if key in results:
                sample.set_metainfo({key: results[key]})
        label: Optional[object] = results.get('gt_label')
        if label is not None:
            sample.set_gt_label(label)
        return dict(inputs=torch.from_numpy(results['img_bytes'].copy()), data_samples=sample)

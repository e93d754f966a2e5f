"""The device half of on-device decoding: decode a batch of JPEG bytes on the model's device
(nvJPEG through ``torchvision.io.decode_jpeg`` on CUDA; the same code on the CPU), crop the boxes
the workers drew, resize, flip, then hand the batch to mmpretrain's own preprocessor for the
channel order and normalisation. See ``datasets/transforms/device_decode.py``."""
from typing import List, Sequence

import torch
import torch.nn.functional as F
from mmpretrain.models.utils import ClsDataPreprocessor, SelfSupDataPreprocessor
from mmpretrain.registry import MODELS
from torchvision.io import ImageReadMode, decode_image, decode_jpeg

from ...datasets.transforms.device_decode import is_jpeg


def is_byte_batch(inputs) -> bool:
    """True for ``pseudo_collate``'d ``PackImageBytes`` inputs: a list of 1-D uint8 tensors."""
    return (isinstance(inputs, (list, tuple)) and len(inputs) > 0
            and all(isinstance(t, torch.Tensor) and t.dim() == 1 and t.dtype == torch.uint8
                    for t in inputs))


def decode_images(data: Sequence[torch.Tensor], orientations: Sequence[int],
                  device: torch.device) -> List[torch.Tensor]:
    """(3, H, W) uint8 RGB images on ``device``: JPEGs without an EXIF rotation in one batched
    ``decode_jpeg`` call on CUDA; every other file (PNG, rotated JPEGs, or all on a CPU) by
    ``decode_image`` on the CPU, then moved."""
    out: List[torch.Tensor] = [None] * len(data)       # type: ignore[list-item]
    on_device = [i for i, (d, o) in enumerate(zip(data, orientations))
                 if device.type == 'cuda' and o == 1 and is_jpeg(d)]
    if on_device:
        decoded = decode_jpeg([data[i] for i in on_device], mode=ImageReadMode.RGB,
                              device=device)
        for i, image in zip(on_device, decoded):
            out[i] = image
    for i, d in enumerate(data):
        if out[i] is None:
            out[i] = decode_image(d.cpu(), mode=ImageReadMode.RGB,
                                  apply_exif_orientation=True).to(device)
    return out


def crop_resize_flip(images: Sequence[torch.Tensor], samples: Sequence) -> torch.Tensor:
    """(B, 3, h, w) float batch holding uint8 values, RGB: each image cropped to its sample's
    ``crop_box``, resized to ``crop_size`` (bicubic with antialiasing, PIL's filter; bilinear
    when the sample says so; any other interpolation raises ``ValueError``), rounded and clamped like a uint8 image, and flipped where
    ``flip``."""
    batch = []
    for image, sample in zip(images, samples):
        x1, y1, x2, y2 = sample.crop_box
        crop = image[:, y1:y2, x1:x2].unsqueeze(0).float()
        mode = sample.get('crop_interpolation', 'bicubic')
        if mode not in ('bicubic', 'bilinear'):
            raise ValueError(f"device decoding resizes with 'bicubic' or 'bilinear' "
                             f"(antialiased), not {mode!r}: set RandomResizedCropBox's "
                             f"interpolation to one of them, or decode in the workers")
        crop = F.interpolate(crop, size=tuple(sample.crop_size), mode=mode, antialias=True,
                             align_corners=False)
        crop = crop.round_().clamp_(0, 255)
        batch.append(crop.flip(-1) if sample.get('flip', False) else crop)
    return torch.cat(batch)


def decode_byte_inputs(data: dict, device: torch.device) -> dict:
    """``data`` with its byte inputs replaced by the decoded, cropped batch in BGR order (as
    ``LoadImageFromFile`` gives images), so mmpretrain's preprocessor converts and normalises
    it as it would a worker-decoded batch."""
    samples = data['data_samples']
    images = decode_images(data['inputs'], [s.get('exif_orientation', 1) for s in samples],
                           device)
    return dict(data, inputs=crop_resize_flip(images, samples).flip(1))


@MODELS.register_module()
class DeviceDecodeSelfSupDataPreprocessor(SelfSupDataPreprocessor):
    """``SelfSupDataPreprocessor`` (same arguments) that also takes batches of file bytes from
    the ``LoadImageBytes`` -> ``RandomResizedCropBox`` -> ``RandomFlipFlag`` ->
    ``PackImageBytes`` worker pipeline (``pseudo_collate``) and decodes them on its device.
    Worker-decoded batches (e.g. validation) pass through unchanged."""

    def forward(self, data: dict, training: bool = False) -> dict:
        if is_byte_batch(data.get('inputs')):
            data = decode_byte_inputs(data, self._device)
        return super().forward(data, training)


@MODELS.register_module()
class DeviceDecodeClsDataPreprocessor(ClsDataPreprocessor):
    """``ClsDataPreprocessor`` (same arguments, batch augments included) with the same byte-batch
    path as :class:`DeviceDecodeSelfSupDataPreprocessor`."""

    def forward(self, data: dict, training: bool = False) -> dict:
        if is_byte_batch(data.get('inputs')):
            data = decode_byte_inputs(data, self._device)
        return super().forward(data, training)

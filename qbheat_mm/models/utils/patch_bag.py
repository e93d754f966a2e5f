"""Fixed-scale square patches of a batch: box layouts and one batched crop-resize."""
import math
from typing import Optional

import torch
from torchvision.ops import roi_align

from .feature_map import pooled_embedding

PATCH_MODES = ('grid', 'random')


def patch_boxes(image_size: tuple, patch_size: int, num_patches: int, mode: str = 'grid',
                generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """(m, 4) boxes (x1, y1, x2, y2) in pixels of ``patch_size`` squares inside an image.

    Args:
        image_size (tuple): (H, W) of the image.
        patch_size (int): side of each square patch, in pixels.
        num_patches (int): m. ``'grid'``: the m boxes lie on a regular
            ceil(sqrt(m)) x ceil(sqrt(m)) lattice of top-left corners spanning
            the image (first m in row order); ``'random'``: uniform top-left
            corners drawn from ``generator``.
        mode (str): ``'grid'`` or ``'random'``.
        generator (torch.Generator, optional): for ``'random'``.
    """
    h, w = image_size
    if num_patches < 1:
        raise ValueError(f'num_patches={num_patches}: a bag needs at least one patch')
    if patch_size > min(h, w):
        raise ValueError(f'patch_size={patch_size} is larger than the {h}x{w} image; use '
                         f'patches of at most {min(h, w)} px or larger images')
    if mode not in PATCH_MODES:
        raise ValueError(f'mode={mode!r}; choose one of {PATCH_MODES}')
    if mode == 'random':
        x1 = torch.randint(0, w - patch_size + 1, (num_patches, ), generator=generator)
        y1 = torch.randint(0, h - patch_size + 1, (num_patches, ), generator=generator)
    else:
        side = math.ceil(math.sqrt(num_patches))
        ys = torch.linspace(0, h - patch_size, side).round()
        xs = torch.linspace(0, w - patch_size, side).round()
        y1, x1 = (t.flatten()[:num_patches] for t in torch.meshgrid(ys, xs, indexing='ij'))
    x1, y1 = x1.float(), y1.float()
    return torch.stack((x1, y1, x1 + patch_size, y1 + patch_size), dim=1)


def crop_patches(images: torch.Tensor, boxes: torch.Tensor, output_size: int) -> torch.Tensor:
    """Crop the same (m, 4) boxes out of every image and resize them, in one call.

    Bilinear RoIAlign (torchvision) with pixel-aligned boxes and adaptive
    sampling: a box as large as the output is copied exactly.

    Args:
        images (Tensor): (B, C, H, W), already normalised (channel order fixed).
        boxes (Tensor): (m, 4) boxes in pixels.
        output_size (int): side s of the resized patches.

    Returns:
        Tensor: (B * m, C, s, s), image-major (patches of image 0 first).
    """
    b, m = images.size(0), boxes.size(0)
    index = torch.arange(b, dtype=images.dtype, device=images.device).repeat_interleave(m)
    rois = torch.cat((index[:, None], boxes.to(images).repeat(b, 1)), dim=1)
    return roi_align(images, rois, output_size=output_size, spatial_scale=1.0,
                     sampling_ratio=-1, aligned=True)


def patch_embeddings(backbone, images: torch.Tensor, boxes: torch.Tensor, output_size: int,
                     owner: str, max_patches: Optional[int] = None) -> torch.Tensor:
    """The pooled embedding of every patch: the same (m, 4) boxes cropped out of every
    image (:func:`crop_patches`), one backbone call on all B * m patches (or calls of at most
    ``max_patches``), GAP of the last map.

    Args:
        max_patches: at most this many patches per backbone call (whole images at a time,
            at least one image per call); None: one call. For a frozen backbone in eval mode
            this only bounds the activations' memory: a call on 800 patches of 128 px
            allocates hundreds of MB per layer, and on CPU the kernel time of mapping and
            zeroing those pages exceeded the convolutions' time. In train mode it changes
            the batch-norm statistics: leave it None there.

    Returns:
        Tensor: (B, m, C).
    """
    if max_patches is not None and max_patches < 1:
        raise ValueError(f'{owner}: max_patches must be a positive number of patches per '
                         f'backbone call (or None for one call), got {max_patches}')
    b, m = images.size(0), boxes.size(0)
    per_call = max(1, b if max_patches is None else max_patches // m)
    out = [pooled_embedding(backbone, crop_patches(images[i:i + per_call], boxes, output_size),
                            owner) for i in range(0, max(b, 1), per_call)]
    return torch.cat(out).view(b, m, -1)


def check_patch_side(height: int, width: int, stride: int, owner: str) -> None:
    """One clear error when an input of height x width leaves no cell at the given stride."""
    if min(height, width) < stride:
        raise ValueError(
            f'{owner}: a {height}x{width} patch leaves no feature cell at the backbone stride '
            f'{stride}; resize the patches to at least {stride} px (input_size, or a Resize '
            f'after the patch crop) or use larger patches')

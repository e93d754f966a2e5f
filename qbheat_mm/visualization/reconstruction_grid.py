"""QB-Heat as a picture: input | visible quarter | reconstruction | target."""
import os
from typing import List, Tuple

import cv2

import numpy as np
import torch

VIEWS = ('denormalised', 'normalised')
COLUMNS = {
    # MAE's visualisation: the prediction de-normalised with each *target* patch's mean and
    # variance (statistics of the target, hence the label), and the visible quarter pasted in
    'denormalised': ('input', 'visible quarter', 'reconstruction*', 'reconstruction* + visible',
                     'target'),
    # the space the loss compares in: per-patch normalised prediction and target
    'normalised': ('input', 'visible quarter', 'reconstruction (normalised)',
                   'target (normalised)'),
}
NOTE = '* de-normalised with the target patches\' mean and variance'


def _to_uint8(img: torch.Tensor) -> np.ndarray:
    """(3, H, W) float in [0, 255] -> (H, W, 3) uint8."""
    return img.clamp(0, 255).byte().permute(1, 2, 0).cpu().numpy()


def _normalised_to_uint8(img: torch.Tensor) -> np.ndarray:
    """Per-patch normalised values (about N(0, 1)) -> uint8, clipping at +-2.5 sigma."""
    return _to_uint8((img.clamp(-2.5, 2.5) + 2.5) * (255. / 5.))


def _label(text: str, width: int, height: int = 18) -> np.ndarray:
    """A white (height, width, 3) strip with ``text`` in black, shrunk to fit."""
    strip = np.full((height, width, 3), 255, np.uint8)
    scale = 0.4
    while (scale > 0.2 and
           cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0] > width - 4):
        scale -= 0.02
    cv2.putText(strip, text, (2, height - 5), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 1,
                cv2.LINE_AA)
    return strip


@torch.no_grad()
def reconstruction_grid(model, inputs: torch.Tensor, border: int = 2,
                        view: str = 'denormalised') -> Tuple[np.ndarray, float]:
    """Render one row per image under a header naming the columns (see ``COLUMNS``).

    ``view='denormalised'`` (default, as MAE's visualisation): input | visible quarter |
    reconstruction de-normalised with each target patch's mean and variance (so it borrows
    the target's per-patch statistics; labelled with a star) | the same with the visible
    quarter pasted over it | target image. ``view='normalised'``: input | visible quarter |
    reconstruction | target, both in the per-patch normalised space the loss compares in
    (nothing of the target is copied into the prediction). With raw-pixel targets both views
    show plain images.

    Args:
        model (QBHeat): The algorithm (its ``data_preprocessor`` gives mean/std).
        inputs (Tensor): (B, 3, H, W) batch, already normalised by the
            data preprocessor.
        border (int): White pixels between tiles.
        view (str): ``'denormalised'`` or ``'normalised'``.

    Returns:
        tuple: the picture, (18 + B * (H + border) [+ 18], k * (W + border), 3) uint8 RGB
        with k = 5 or 4 columns (a header, and a footer explaining the star), and the
        reconstruction loss of these predictions (same target and region as training).
    """
    if view not in VIEWS:
        raise ValueError(f'reconstruction_grid: view={view!r}; choose one of {VIEWS}')
    was_training = model.training
    model.eval()
    try:
        model.check_size(inputs)
        _, full = model.predict_full(inputs)
        head = model.head
        pred = head(full)
        grid = tuple(full.shape[-2:])
        loss = head.loss_by_pred(pred, inputs, grid).item()
    finally:
        model.train(was_training)
    pre = model.data_preprocessor
    mean = getattr(pre, 'mean', torch.zeros(3, 1, 1)).view(3, 1, 1).to(inputs)
    std = getattr(pre, 'std', torch.ones(3, 1, 1)).view(3, 1, 1).to(inputs)
    images = inputs * std + mean
    h, w = inputs.shape[-2:]
    if head.norm_pix and view == 'normalised':
        recon = [_normalised_to_uint8(t) for t in head.unpatchify(pred, grid)]
        target = [_normalised_to_uint8(t) for t in
                  head.unpatchify(head.construct_target(inputs), grid)]
    else:
        if head.norm_pix:   # undo the per-patch normalisation with the target's statistics
            patch_mean, patch_std = head.patch_statistics(head.patchify(inputs))
            pred = pred * patch_std + patch_mean
        recon_img = head.unpatchify(pred, grid) * std + mean
        recon = [_to_uint8(t) for t in recon_img]
        target = [_to_uint8(t) for t in images]
    rows: List[np.ndarray] = []
    for i in range(inputs.size(0)):
        visible = images[i].clone()
        visible[:, h // 2:, :] = 127.
        visible[:, :, w // 2:] = 127.
        tiles = [_to_uint8(images[i]), _to_uint8(visible), recon[i]]
        if view == 'denormalised':
            pasted = recon[i].copy()
            pasted[:h // 2, :w // 2] = _to_uint8(images[i])[:h // 2, :w // 2]
            tiles.append(pasted)
        tiles.append(target[i])
        tiles = [np.pad(t, ((0, border), (0, border), (0, 0)), constant_values=255)
                 for t in tiles]
        rows.append(np.concatenate(tiles, axis=1))
    header = np.concatenate([_label(name, w + border) for name in COLUMNS[view]], axis=1)
    footer = [_label(NOTE, header.shape[1])] if view == 'denormalised' and head.norm_pix else []
    return np.concatenate([header, *rows, *footer], axis=0), loss


def save_png(image: np.ndarray, path: str) -> str:
    """Write an RGB uint8 array as PNG (creating folders) and return the path."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if not cv2.imwrite(path, np.ascontiguousarray(image[..., ::-1])):
        raise OSError(f'could not write {path}')
    return path

"""QB-Heat as a picture: input | visible quarter | reconstruction | target."""
import os
from typing import List, Tuple

import cv2

import numpy as np
import torch

COLUMNS = ('input', 'visible quarter', 'reconstruction', 'target')


def _to_uint8(img: torch.Tensor) -> np.ndarray:
    """(3, H, W) float in [0, 255] -> (H, W, 3) uint8."""
    return img.clamp(0, 255).byte().permute(1, 2, 0).cpu().numpy()


def _normalised_to_uint8(img: torch.Tensor) -> np.ndarray:
    """Per-patch normalised values (about N(0, 1)) -> uint8, clipping at +-2.5 sigma."""
    return _to_uint8((img.clamp(-2.5, 2.5) + 2.5) * (255. / 5.))


@torch.no_grad()
def reconstruction_grid(model, inputs: torch.Tensor,
                        border: int = 2) -> Tuple[np.ndarray, float]:
    """Render one row per image: input, visible quarter, reconstruction, target.

    Reconstruction and target are shown in the space the loss compares them
    in: with per-patch normalised targets both are normalised patches (no
    statistics of the target are copied into the prediction); with raw
    pixels both are images.

    Args:
        model (QBHeat): The algorithm (its ``data_preprocessor`` gives mean/std).
        inputs (Tensor): (B, 3, H, W) batch, already normalised by the
            data preprocessor.
        border (int): White pixels between tiles.

    Returns:
        tuple: the picture, (B * (H + border), 4 * (W + border), 3) uint8 RGB,
        and the reconstruction loss of these predictions (same target and
        region as training).
    """
    was_training = model.training
    model.eval()
    try:
        model.check_size(inputs)
        _, full = model.predict_full(inputs)
        head = model.head
        pred = head(full)
        target = head.construct_target(inputs)
        grid = tuple(full.shape[-2:])
        loss = head.loss_by_pred(pred, inputs, grid).item()
    finally:
        model.train(was_training)
    pre = model.data_preprocessor
    mean = getattr(pre, 'mean', torch.zeros(3, 1, 1)).view(3, 1, 1).to(inputs)
    std = getattr(pre, 'std', torch.ones(3, 1, 1)).view(3, 1, 1).to(inputs)
    images = inputs * std + mean
    h, w = inputs.shape[-2:]
    if head.norm_pix:
        render = _normalised_to_uint8
        pred_img, target_img = head.unpatchify(pred, grid), head.unpatchify(target, grid)
    else:
        render = _to_uint8
        pred_img = head.unpatchify(pred, grid) * std + mean
        target_img = images
    rows: List[np.ndarray] = []
    for i in range(inputs.size(0)):
        visible = images[i].clone()
        visible[:, h // 2:, :] = 127.
        visible[:, :, w // 2:] = 127.
        tiles = [_to_uint8(images[i]), _to_uint8(visible), render(pred_img[i]),
                 render(target_img[i])]
        tiles = [np.pad(t, ((0, border), (0, border), (0, 0)), constant_values=255)
                 for t in tiles]
        rows.append(np.concatenate(tiles, axis=1))
    return np.concatenate(rows, axis=0), loss


def save_png(image: np.ndarray, path: str) -> str:
    """Write an RGB uint8 array as PNG (creating folders) and return the path."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if not cv2.imwrite(path, np.ascontiguousarray(image[..., ::-1])):
        raise OSError(f'could not write {path}')
    return path

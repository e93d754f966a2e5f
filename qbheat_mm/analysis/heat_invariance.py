"""Does one shared linear map relate neighbouring features of natural images?

QB-Heat's hypothesis: the features z(x, y) of a stride-s map obey
z(x + 1, y) = (I + A) z(x, y) and z(x, y + 1) = (I + B) z(x, y) with A and B shared by every
position and image. Here A and B are fitted by least squares on the neighbour pairs of one set
of images and scored on the pairs of another (R^2, the fraction of the neighbour's variance
explained), beside two references: the identity (A = 0, "the neighbour equals the cell") and
a per-image map fitted on half of one image's rows and scored on its other half (an upper
bound for what a linear map can do when it may change from image to image, provided an image
has many more neighbour pairs than channels; with fewer the per-image fit overfits). The FINOLA
variant predicts z(x + 1) = z(x) + A z_hat(x), z_hat the feature standardised over channels.
"""
from typing import Dict, Tuple

import torch

from ..models.necks.heat_extrapolation import HeatExtrapolationNeck


def neighbour_pairs(maps: torch.Tensor, axis: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """(N, C, h, w) maps -> (cells (P, C), their right (axis 'x') or lower ('y') neighbours
    (P, C)), P = N h (w - 1) or N (h - 1) w."""
    if axis == 'x':
        src, dst = maps[..., :, :-1], maps[..., :, 1:]
    elif axis == 'y':
        src, dst = maps[..., :-1, :], maps[..., 1:, :]
    else:
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    c = maps.shape[1]
    return (src.permute(0, 2, 3, 1).reshape(-1, c), dst.permute(0, 2, 3, 1).reshape(-1, c))


def standardise(z: torch.Tensor) -> torch.Tensor:
    """(P, C) -> every row standardised over its C channels (no affine): the neck's z_hat."""
    return HeatExtrapolationNeck.standardise(z, dim=-1)


def fit_step(src: torch.Tensor, dst: torch.Tensor, normalised: bool = False,
             ridge: float = 1e-6) -> torch.Tensor:
    """Least-squares A (C, C) of dst - src ~ A src (or A src_hat when ``normalised``), with a
    ridge of ``ridge`` x the mean squared input (numerical safety). src_hat has zero mean over
    channels, so the normalised A is identified only on that subspace; the ridge picks the
    solution without a component along the all-ones direction."""
    x = standardise(src) if normalised else src
    x, d = x.double(), (dst - src).double()
    gram = x.T @ x
    gram = gram + ridge * gram.diagonal().mean() * torch.eye(len(gram), dtype=gram.dtype)
    return torch.linalg.solve(gram, x.T @ d).T.float()


def predict(src: torch.Tensor, A: torch.Tensor, normalised: bool = False) -> torch.Tensor:
    x = standardise(src) if normalised else src
    return src + x @ A.T


def r2(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Explained variance 1 - SSE / SST (SST around the target's per-channel mean)."""
    sse = (target - pred).double().pow(2).sum()
    sst = (target - target.mean(dim=0)).double().pow(2).sum()
    return float(1 - sse / sst)


def commutator(A: torch.Tensor, B: torch.Tensor) -> float:
    """||AB - BA||_F / (||A||_F ||B||_F): 0 when the two steps commute (the split heat
    equation is then consistent: going right then down equals down then right)."""
    denom = torch.linalg.matrix_norm(A) * torch.linalg.matrix_norm(B)
    return float(torch.linalg.matrix_norm(A @ B - B @ A) / denom) if denom > 0 else 0.


def per_image_r2(maps: torch.Tensor, axis: str, normalised: bool = False,
                 ridge: float = 1e-2) -> float:
    """Upper bound: for every image a map fitted on the pairs of its even rows (columns for
    'y') and scored on its odd ones; R^2 pooled over images. Ridge 1e-2 (an image has few
    pairs, often fewer than C)."""
    preds, targets = [], []
    for fmap in maps:
        if axis == 'x':
            fit, score = fmap[:, 0::2], fmap[:, 1::2]
        else:
            fit, score = fmap[:, :, 0::2], fmap[:, :, 1::2]
        src, dst = neighbour_pairs(fit[None], axis)
        s_src, s_dst = neighbour_pairs(score[None], axis)
        if len(src) and len(s_src):
            preds.append(predict(s_src, fit_step(src, dst, normalised, ridge), normalised))
            targets.append(s_dst)
    if not preds:
        raise ValueError('per_image_r2: the maps are too small (need >= 2 rows and columns)')
    return r2(torch.cat(preds), torch.cat(targets))


def heat_invariance(fit_maps: torch.Tensor, test_maps: torch.Tensor,
                    normalised: bool = False) -> Dict[str, float]:
    """Fit shared A, B on ``fit_maps`` (N, C, h, w) and score on ``test_maps``.

    Returns:
        dict: ``r2_x``, ``r2_y`` (shared maps, held-out images), ``r2_identity_x/y``
        (A = B = 0), ``r2_per_image_x/y`` (per-image maps, held-out rows),
        ``commutator`` (||AB - BA|| / ||A|| ||B||), ``norm_A``, ``norm_B``, and the fitted
        ``A``, ``B`` tensors.
    """
    out: Dict[str, float] = {}
    mats = {}
    for axis in ('x', 'y'):
        src, dst = neighbour_pairs(fit_maps, axis)
        A = fit_step(src, dst, normalised)
        mats[axis] = A
        t_src, t_dst = neighbour_pairs(test_maps, axis)
        out[f'r2_{axis}'] = r2(predict(t_src, A, normalised), t_dst)
        out[f'r2_identity_{axis}'] = r2(t_src, t_dst)
        out[f'r2_per_image_{axis}'] = per_image_r2(test_maps, axis, normalised)
    out['commutator'] = commutator(mats['x'], mats['y'])
    out['norm_A'] = float(torch.linalg.matrix_norm(mats['x']))
    out['norm_B'] = float(torch.linalg.matrix_norm(mats['y']))
    out['A'], out['B'] = mats['x'], mats['y']
    return out

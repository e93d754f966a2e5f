"""Cheap estimates of a large square matrix's spectral radius and Frobenius norm, from a few
dozen matrix-vector products instead of an O(C^3) eigen-decomposition or matrix product.

QB-Heat logs the spectral radius of its step operators P_x, P_y and the commutator norm
||AB - BA||_F. For C = 2048 (ResNet-50) the exact values cost two eigen-decompositions and two
C x C products, seconds per logged iteration on a CPU; these estimates cost milliseconds.
"""
from typing import Optional

import torch


def krylov_spectral_radius(matrix: torch.Tensor, krylov_dim: int = 48, seed: int = 0,
                           generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """max |lambda| of a (C, C) matrix, estimated by Arnoldi: the largest modulus of the
    Ritz values of a ``krylov_dim``-dimensional Krylov space (float64 Gram-Schmidt, applied
    twice; ``krylov_dim`` products ``matrix @ v``, in the matrix's dtype and device).

    A well-separated dominant eigenvalue or complex pair is found to about 1e-5 (relative); when
    C <= ``krylov_dim`` (or the space becomes invariant) the result is exact up to rounding. On
    spectra with no gap at their edge (e.g. Gaussian matrices, the circular law) the
    estimate lies within about 1 % of the true radius, usually just below it.

    Args:
        matrix (Tensor): (C, C).
        krylov_dim (int): Dimension of the Krylov space (products with ``matrix``).
        seed (int): Seed of the random start vector (used when ``generator`` is None).

    Returns:
        Tensor: 0-dim, the estimate (float64, on the matrix's device).
    """
    size = matrix.shape[0]
    if matrix.dim() != 2 or matrix.shape[1] != size:
        raise ValueError(f'krylov_spectral_radius: need a square matrix, got {tuple(matrix.shape)}')
    m = max(1, min(krylov_dim, size))
    generator = generator or torch.Generator().manual_seed(seed)
    basis = torch.zeros(size, m + 1, dtype=torch.float64, device=matrix.device)
    hess = torch.zeros(m + 1, m, dtype=torch.float64, device=matrix.device)
    start = torch.randn(size, generator=generator, dtype=torch.float64).to(matrix.device)
    basis[:, 0] = start / start.norm()
    used = m
    for j in range(m):
        w = (matrix @ basis[:, j].to(matrix.dtype)).to(torch.float64)
        for _ in range(2):                       # classical Gram-Schmidt, twice
            h = basis[:, :j + 1].T @ w
            w = w - basis[:, :j + 1] @ h
            hess[:j + 1, j] += h
        hess[j + 1, j] = w.norm()
        if hess[j + 1, j] <= 1e-12 * max(hess[:j + 2, j].norm().item(), 1e-300):
            used = j + 1                         # invariant subspace: its Ritz values are exact
            break
        basis[:, j + 1] = w / hess[j + 1, j]
    return torch.linalg.eigvals(hess[:used, :used]).abs().max()


def commutator_norm_estimate(a: torch.Tensor, b: torch.Tensor, probes: int = 32,
                             seed: int = 0) -> torch.Tensor:
    """||AB - BA||_F estimated from ``probes`` Gaussian vectors g (Hutchinson):
    E ||(AB - BA) g||^2 = ||AB - BA||_F^2, with four (C, C) x (C, probes) products.

    The relative standard deviation of the squared estimate is at most sqrt(2 / probes) (a
    rank-one commutator) and about sqrt(2 / (probes * r)) for a commutator of effective
    rank r, so a few per cent or less for the full-rank commutators of training.

    Returns:
        Tensor: 0-dim, in the inputs' dtype.
    """
    generator = torch.Generator().manual_seed(seed)
    g = torch.randn(a.shape[1], probes, generator=generator, dtype=a.dtype).to(a.device)
    residual = a @ (b @ g) - b @ (a @ g)
    return (residual.pow(2).sum() / probes).sqrt()

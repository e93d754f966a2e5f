"""Cheap estimates behind QB-Heat's logged diagnostics against the exact values: spectral
radius (Arnoldi) on planted and random spectra, commutator norm (Hutchinson), and the neck
choosing exact values up to C = 512 and estimates above."""
import pytest
import torch

from qbheat_mm.models.necks import HeatExtrapolationNeck
from qbheat_mm.models.utils import commutator_norm_estimate, krylov_spectral_radius


def exact_radius(m: torch.Tensor) -> float:
    return torch.linalg.eigvals(m.double()).abs().max().item()


def planted(size: int, radius: float, angle: float, rest: float, seed: int = 0) -> torch.Tensor:
    """X D X^-1 with a dominant complex pair radius * e^{+-i angle} and the other eigenvalues
    in [0, rest)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(size, size, generator=g, dtype=torch.float64)
    d = torch.diag(rest * torch.rand(size, generator=g, dtype=torch.float64))
    c, s = torch.cos(torch.tensor(angle)), torch.sin(torch.tensor(angle))
    d[:2, :2] = radius * torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
    return (x @ d @ torch.linalg.inv(x)).float()


@pytest.mark.parametrize('radius,angle', [(1.3, 0.7), (1.05, 0.0), (2.0, 3.0)])
def test_planted_dominant_eigenvalue_is_found(radius, angle):
    m = planted(300, radius, angle, rest=0.9 if radius > 1.1 else 0.5)
    assert krylov_spectral_radius(m).item() == pytest.approx(exact_radius(m), rel=1e-4)


def test_random_spectra_within_one_percent_and_small_matrices_exact():
    g = torch.Generator().manual_seed(1)
    size = 700
    noise = torch.randn(size, size, generator=g) / size ** 0.5
    symmetric = (noise + noise.T) / 2
    for m in (noise, torch.eye(size) + 0.1 * noise, torch.eye(size) + 0.01 * noise, symmetric):
        exact = exact_radius(m)
        assert abs(krylov_spectral_radius(m).item() - exact) <= 0.01 * exact
    small = torch.randn(20, 20, generator=g)          # C <= krylov_dim: the whole space
    assert krylov_spectral_radius(small).item() == pytest.approx(exact_radius(small), rel=1e-6)
    with pytest.raises(ValueError, match='square'):
        krylov_spectral_radius(torch.zeros(3, 4))


def test_commutator_estimate():
    g = torch.Generator().manual_seed(2)
    a, b = torch.randn(600, 600, generator=g), torch.randn(600, 600, generator=g)
    exact = torch.linalg.matrix_norm(a @ b - b @ a).item()
    assert commutator_norm_estimate(a, b).item() == pytest.approx(exact, rel=0.05)
    # commuting matrices: zero up to rounding
    assert commutator_norm_estimate(a, a @ a + 3 * a).item() <= 1e-4 * (a @ a).norm().item()


def test_neck_is_exact_up_to_512_channels_and_estimates_above(monkeypatch):
    sizes = []
    eigvals = torch.linalg.eigvals
    monkeypatch.setattr(torch.linalg, 'eigvals', lambda m: sizes.append(m.shape[0]) or eigvals(m))
    values = {}
    for channels, exact in ((512, None), (640, None), (640, True)):
        g = torch.Generator().manual_seed(channels)       # the same A, B for both 640 necks
        neck = HeatExtrapolationNeck(in_channels=channels, diagnostics_exact=exact)
        with torch.no_grad():
            neck.A.copy_(0.02 * torch.randn(channels, channels, generator=g) / channels ** 0.5)
            neck.B.copy_(0.02 * torch.randn(channels, channels, generator=g) / channels ** 0.5)
        sizes.clear()
        values[channels, exact] = neck.diagnostics(2, 2)
        assert max(sizes) == (channels if exact or channels <= 512 else 48), (channels, sizes)
    estimate, exact = values[640, None], values[640, True]
    for key in ('heat_rho_x', 'heat_rho_y'):
        assert abs(estimate[key].item() - exact[key].item()) <= 0.01 * exact[key].item()
    assert estimate['heat_commutator'].item() == pytest.approx(
        exact['heat_commutator'].item(), rel=0.05)

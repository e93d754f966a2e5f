"""The successor papers' predictor variants: quadrant shift by repeated unit steps, the FINOLA
step z + dA z_hat, and the non-linear MLP control."""
import pytest
import torch

from qbheat_mm.models import HeatExtrapolationNeck
from qbheat_mm.models.necks import MLPExtrapolationNeck


def trained(neck, scale=0.05, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        neck.A.copy_(scale * torch.randn(neck.A.shape, generator=g))
        neck.B.copy_(scale * torch.randn(neck.B.shape, generator=g))
    return neck


def quarters(out, h, w):
    return out[..., :h, w:], out[..., h:, :w], out[..., h:, w:]


@pytest.mark.parametrize('mode', ['block', 'recurrent', 'quadrant'])
@pytest.mark.parametrize('step_norm', ['none', 'finola'])
@pytest.mark.parametrize('h,w', [(2, 3), (3, 2), (1, 4)])
def test_identity_at_init_for_every_mode_and_norm(mode, step_norm, h, w):
    neck = HeatExtrapolationNeck(6, mode=mode, step_norm=step_norm)
    neck.init_weights()
    z = torch.randn(2, 6, h, w)
    out = neck(z)
    assert out.shape == (2, 6, 2 * h, 2 * w)
    assert torch.equal(out[..., :h, :w], z)
    if mode != 'recurrent':      # recurrent repeats the boundary cells instead
        for q in quarters(out, h, w):
            assert torch.allclose(q, z, atol=1e-6)


@pytest.mark.parametrize('operator', ['euler', 'matrix_exp'])
def test_quadrant_mode_is_linear_without_norm(operator):
    neck = trained(HeatExtrapolationNeck(5, mode='quadrant', operator=operator))
    a, b = torch.randn(2, 5, 2, 3), torch.randn(2, 5, 2, 3)
    with torch.no_grad():
        assert torch.allclose(neck(2.5 * a), 2.5 * neck(a), atol=1e-5)
        assert torch.allclose(neck(a + b), neck(a) + neck(b), atol=1e-5)


def test_finola_step_is_not_linear():
    neck = trained(HeatExtrapolationNeck(5, mode='quadrant', step_norm='finola'), scale=0.3)
    a = torch.randn(2, 5, 2, 2)
    with torch.no_grad():
        assert not torch.allclose(neck(3 * a), 3 * neck(a), atol=1e-3)


@pytest.mark.parametrize('step_norm', ['none', 'finola'])
@pytest.mark.parametrize('h,w', [(2, 3), (3, 1)])
def test_quadrant_mode_matches_a_hand_written_loop_of_unit_steps(step_norm, h, w):
    c = 4
    neck = trained(HeatExtrapolationNeck(c, mode='quadrant', step_norm=step_norm), 0.2)
    z = torch.randn(2, c, h, w)
    A, B = neck.A.detach(), neck.B.detach()

    def unit(M, x):        # one unit step at one position x (C, )
        if step_norm == 'finola':
            xhat = (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + 1e-6)
            return x + M @ xhat
        return x + M @ x

    expected = torch.zeros(2, c, 2 * h, 2 * w)
    for b in range(2):
        for i in range(h):
            for j in range(w):
                cell = z[b, :, i, j]
                right, below = cell, cell
                for _ in range(w):
                    right = unit(A, right)
                for _ in range(h):
                    below = unit(B, below)
                corner = right
                for _ in range(h):
                    corner = unit(B, corner)
                expected[b, :, i, j] = cell
                expected[b, :, i, j + w] = right
                expected[b, :, i + h, j] = below
                expected[b, :, i + h, j + w] = corner
    with torch.no_grad():
        assert torch.allclose(neck(z), expected, atol=1e-5)


def test_block_finola_step_is_z_plus_w_a_zhat():
    neck = trained(HeatExtrapolationNeck(4, mode='block', step_norm='finola'), 0.2)
    z = torch.randn(1, 4, 2, 3)
    zhat = HeatExtrapolationNeck.standardise(z)
    right = z + torch.einsum('ij,bjhw->bihw', 3 * neck.A, zhat)
    with torch.no_grad():
        assert torch.allclose(neck(z)[..., :2, 3:], right, atol=1e-5)


def test_channel_standardisation_has_zero_mean_and_unit_variance_per_position():
    z = 3 + 5 * torch.randn(2, 16, 3, 4)
    zhat = HeatExtrapolationNeck.standardise(z)
    assert torch.allclose(zhat.mean(1), torch.zeros(2, 3, 4), atol=1e-5)
    assert torch.allclose(zhat.var(1, unbiased=False), torch.ones(2, 3, 4), atol=1e-4)
    neck = HeatExtrapolationNeck(16, step_norm='finola')
    assert {n for n, _ in neck.named_parameters()} == {'A', 'B'}     # no affine parameters


def test_quadrant_step_size_sets_the_number_of_repetitions():
    neck = trained(HeatExtrapolationNeck(3, mode='quadrant', step_size=2.), 0.1)
    z = torch.randn(1, 3, 2, 4)
    px = torch.eye(3) + 2. * neck.A.detach()
    right = torch.einsum('ij,bjhw->bihw', px @ px, z)   # 4 / 2 = 2 repetitions
    with torch.no_grad():
        assert torch.allclose(neck(z)[..., :2, 4:], right, atol=1e-5)


def test_bad_variant_options_are_refused():
    with pytest.raises(ValueError, match="step_norm='layer'"):
        HeatExtrapolationNeck(4, step_norm='layer')
    with pytest.raises(ValueError, match='pre_norm=False'):
        HeatExtrapolationNeck(4, step_norm='finola', pre_norm=True)
    with pytest.raises(ValueError, match="mode='spiral'"):
        HeatExtrapolationNeck(4, mode='spiral')


def test_mlp_control_starts_as_a_copy_and_learns_non_linearly():
    neck = MLPExtrapolationNeck(6)
    neck.init_weights()
    z = torch.randn(2, 6, 2, 3)
    out = neck(z)
    for q in quarters(out, 2, 3):
        assert torch.equal(q, z)
    out.sum().backward()
    assert all(m[-1].weight.grad.abs().sum() > 0 for m in neck.mlps.values())
    with torch.no_grad():
        for m in neck.mlps.values():
            m[-1].weight.normal_()
        assert not torch.allclose(neck(2 * z), 2 * neck(z), atol=1e-3)
    with pytest.raises(ValueError, match='MLPExtrapolationNeck expects'):
        neck(torch.randn(2, 5, 2, 3))

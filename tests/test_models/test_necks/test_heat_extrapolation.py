import pytest
import torch

from qbheat_mm.models import HeatExtrapolationNeck


@pytest.mark.parametrize('h,w', [(1, 1), (2, 3), (4, 4)])
def test_block_mode_identity_at_init(h, w):
    neck = HeatExtrapolationNeck(8)
    z = torch.randn(2, 8, h, w)
    out = neck(z)
    assert out.shape == (2, 8, 2 * h, 2 * w)
    for quarter in (out[..., :h, :w], out[..., :h, w:], out[..., h:, :w], out[..., h:, w:]):
        assert torch.equal(quarter, z)


def test_recurrent_mode_repeats_boundary_at_init():
    neck = HeatExtrapolationNeck(8, mode='recurrent')
    z = torch.randn(2, 8, 3, 4)
    out = neck(z)
    assert out.shape == (2, 8, 6, 8)
    assert torch.equal(out[..., :3, :4], z)
    right_col = z[..., :, -1:]
    assert torch.allclose(out[..., :3, 4:], right_col.expand(-1, -1, -1, 4))
    top_last_row = out[..., 2:3, :]
    assert torch.allclose(out[..., 3:, :], top_last_row.expand(-1, -1, 3, -1))


@pytest.mark.parametrize('mode', ['block', 'recurrent'])
@pytest.mark.parametrize('operator', ['euler', 'matrix_exp'])
def test_linear_in_input(mode, operator):
    neck = HeatExtrapolationNeck(6, mode=mode, operator=operator)
    with torch.no_grad():
        neck.A.normal_(std=0.1)
        neck.B.normal_(std=0.1)
    a, b = torch.randn(2, 6, 2, 2), torch.randn(2, 6, 2, 2)
    assert torch.allclose(neck(2 * a - 3 * b), 2 * neck(a) - 3 * neck(b), atol=1e-5)


def test_block_mode_follows_the_euler_formula():
    neck = HeatExtrapolationNeck(4)
    with torch.no_grad():
        neck.A.normal_(std=0.1)
        neck.B.normal_(std=0.1)
    z = torch.randn(1, 4, 2, 3)
    eye = torch.eye(4)
    px, py = eye + 3 * neck.A, eye + 2 * neck.B  # dx = block width, dy = block height
    out = neck(z).detach()
    apply = lambda m, t: torch.einsum('oc,bchw->bohw', m, t)  # noqa: E731
    assert torch.allclose(out[..., :2, 3:], apply(px, z), atol=1e-6)
    assert torch.allclose(out[..., 2:, :3], apply(py, z), atol=1e-6)
    assert torch.allclose(out[..., 2:, 3:], apply(py @ px, z), atol=1e-6)


def test_gradients_reach_a_and_b():
    for mode in ('block', 'recurrent'):
        neck = HeatExtrapolationNeck(4, mode=mode)
        neck(torch.randn(2, 4, 2, 2)).pow(2).sum().backward()
        assert neck.A.grad is not None and neck.A.grad.abs().sum() > 0
        assert neck.B.grad is not None and neck.B.grad.abs().sum() > 0


def test_options_shapes_and_diagnostics():
    for kwargs in (dict(diag_order='average'), dict(pre_norm=True),
                   dict(mode='recurrent', diag_order='average'), dict(step_size=0.5)):
        neck = HeatExtrapolationNeck(4, **kwargs)
        assert neck(torch.randn(2, 4, 3, 2)).shape == (2, 4, 6, 4)
    neck = HeatExtrapolationNeck(4)
    diag = neck.diagnostics(2, 2)
    assert float(diag['heat_commutator']) == 0.0
    assert float(diag['heat_rho_x']) == pytest.approx(1.0)
    with torch.no_grad():
        neck.A.copy_(torch.diag(torch.tensor([0.5, 0., 0., 0.])))
    assert float(neck.diagnostics(2, 2)['heat_rho_x']) == pytest.approx(2.0)  # 1 + 2 * 0.5


def test_init_weights_keeps_identity():
    neck = HeatExtrapolationNeck(4)
    neck.init_weights()
    assert torch.equal(neck.A, torch.zeros(4, 4)) and torch.equal(neck.B, torch.zeros(4, 4))


@pytest.mark.parametrize('kwargs', [dict(mode='diagonal'), dict(operator='rk4'),
                                    dict(diag_order='y_then_x')])
def test_bad_options(kwargs):
    with pytest.raises(ValueError, match='choose one of'):
        HeatExtrapolationNeck(4, **kwargs)


def test_bad_input():
    with pytest.raises(ValueError, match=r'expects \(B, 4, h, w\)'):
        HeatExtrapolationNeck(4)(torch.randn(2, 5, 2, 2))


def test_diagnostics_only_on_logged_iterations(monkeypatch):
    """No eigen-decomposition on the iterations the logger does not print; on the printed
    ones the same values as before (exact eigenvalues)."""
    from mmengine.logging import MessageHub
    neck = HeatExtrapolationNeck(in_channels=6, diagnostics_interval=5)
    with torch.no_grad():
        neck.A.normal_(std=0.1)
        neck.B.normal_(std=0.1)
    calls = []
    real_eigvals = torch.linalg.eigvals
    monkeypatch.setattr(torch.linalg, 'eigvals',
                        lambda m: calls.append(m.shape) or real_eigvals(m))
    hub = MessageHub.get_current_instance()
    for it in (0, 1, 2, 3, 5, 8):          # (it + 1) % 5 != 0: not logged
        hub.update_info('iter', it)
        assert neck.diagnostics(2, 2) == {}
    assert calls == []
    hub.update_info('iter', 9)             # the 10th iteration: printed
    diag = neck.diagnostics(2, 2)
    assert len(calls) == 2
    px, py = neck.steps(2, 2)
    assert float(diag['heat_rho_x']) == pytest.approx(float(real_eigvals(px).abs().max()))
    assert float(diag['heat_rho_y']) == pytest.approx(float(real_eigvals(py).abs().max()))
    comm = torch.linalg.matrix_norm(neck.A @ neck.B - neck.B @ neck.A)
    assert float(diag['heat_commutator']) == pytest.approx(float(comm))
    neck.log_diagnostics = False
    assert neck.diagnostics(2, 2) == {} and len(calls) == 2
    with pytest.raises(ValueError, match='diagnostics_interval'):
        HeatExtrapolationNeck(in_channels=6, diagnostics_interval=0)

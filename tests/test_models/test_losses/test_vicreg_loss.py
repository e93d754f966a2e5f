import pytest
import torch

from qbheat_mm.models.losses import VICRegLoss


def test_identical_patches_have_zero_invariance():
    z = torch.randn(8, 1, 16).expand(8, 5, 16)
    losses = VICRegLoss()(z)
    assert losses['loss_invariance'].abs() < 1e-10   # float rounding of the bag mean
    assert losses['loss_variance'] > 0 and losses['loss_covariance'] > 0


def test_random_embeddings_give_finite_positive_terms():
    losses = VICRegLoss()(torch.randn(16, 4, 8))
    assert set(losses) == {'loss_invariance', 'loss_variance', 'loss_covariance'}
    assert all(torch.isfinite(v) and v > 0 for v in losses.values())


@pytest.mark.parametrize('n', [2, 3, 5])
def test_pairwise_is_2n_times_to_the_mean(n):
    z = torch.randn(6, n, 7)
    pairs = sum(((z[:, i] - z[:, j]) ** 2).sum() for i in range(n) for j in range(n))
    to_mean = ((z - z.mean(1, keepdim=True)) ** 2).sum()
    assert torch.allclose(pairs, 2 * n * to_mean)
    loss = VICRegLoss(inv_weight=1.)
    # 'pairwise' = mean over ordered pairs i != j of the per-dimension MSE
    assert torch.allclose(loss.invariance_term(z), pairs / (n * (n - 1) * 6 * 7))
    to_mean_loss = VICRegLoss(inv_weight=1., invariance='to_mean')
    assert torch.allclose(to_mean_loss.invariance_term(z), to_mean / (6 * n * 7))


def test_variance_zero_when_every_std_reaches_gamma():
    z = torch.randn(64, 3, 8)
    z = (z - z.mean(0)) / z.std(0) * 1.5            # every std 1.5 >= gamma = 1
    assert VICRegLoss().variance_term(z) == 0
    assert VICRegLoss(gamma=2.).variance_term(z) > 0


def test_two_views_equal_the_original_vicreg_loss():
    """Reference written from the VICReg paper's pseudo-code for two branches."""
    x, y = torch.randn(32, 10), torch.randn(32, 10)
    inv = torch.nn.functional.mse_loss(x, y)
    std_x, std_y = (torch.sqrt(t.var(0) + 1e-4) for t in (x, y))
    var = torch.relu(1 - std_x).mean() / 2 + torch.relu(1 - std_y).mean() / 2

    def off_diag_sq(t):
        t = t - t.mean(0)
        c = t.T @ t / (len(t) - 1)
        return (c ** 2).sum() - (torch.diagonal(c) ** 2).sum()
    cov = off_diag_sq(x) / 10 + off_diag_sq(y) / 10
    losses = VICRegLoss()(torch.stack((x, y), dim=1))
    assert torch.allclose(losses['loss_invariance'], 25 * inv)
    assert torch.allclose(losses['loss_variance'], 25 * var)
    assert torch.allclose(losses['loss_covariance'], cov)


def test_bad_input():
    with pytest.raises(ValueError, match='n >= 2'):
        VICRegLoss()(torch.randn(4, 1, 8))
    with pytest.raises(ValueError, match='batch of at least 2'):
        VICRegLoss()(torch.randn(1, 3, 8))
    with pytest.raises(ValueError, match='invariance'):
        VICRegLoss(invariance='sum')


import torch

from qbheat_mm.models.utils.dynamic_relu import TokenDynamicReLU


def test_equals_max_of_two_slopes():
    act = TokenDynamicReLU(channels=6, token_dims=8)
    with torch.no_grad():
        for p in act.parameters():
            p.normal_(std=1.0)  # coefficients far from the ReLU start
    x, token = torch.randn(3, 6, 5, 5), torch.randn(3, 8)
    a = act.coefficients(token)
    assert ((a[:, 0] >= 0) & (a[:, 0] <= 2)).all() and ((a[:, 1] >= -1) & (a[:, 1] <= 1)).all()
    expected = torch.maximum(x * a[:, 0], x * a[:, 1])
    assert torch.allclose(act(x, token), expected, atol=1e-6)

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


def test_inference_and_training_forms_agree(monkeypatch):
    act = TokenDynamicReLU(channels=6, token_dims=8)
    with torch.no_grad():
        for p in act.parameters():
            p.normal_(std=1.0)
    x, token = torch.randn(3, 6, 5, 5), torch.randn(3, 8)
    with torch.no_grad():
        fast = act(x, token)                          # inference: the one-pass maximum form
        monkeypatch.setattr(TokenDynamicReLU, 'inference_form', 'relu')
        slow = act(x, token)
    trained = act(x.requires_grad_(), token)          # gradients needed: the relu form
    assert torch.allclose(fast, slow, atol=1e-6) and torch.allclose(fast, trained, atol=1e-6)
    trained.sum().backward()
    assert x.grad is not None and all(p.grad is not None for p in act.parameters())


def test_inference_takes_the_maximum_form(monkeypatch):
    act = TokenDynamicReLU(channels=4, token_dims=8)
    x, token = torch.randn(2, 4, 3, 3), torch.randn(2, 8)
    calls = []
    real_relu = torch.relu
    monkeypatch.setattr(torch, 'relu', lambda t: calls.append(t.shape) or real_relu(t))
    with torch.inference_mode():
        act.requires_grad_(False)
        act(x, token)
    assert calls == []                                # no relu pass at inference
    act.requires_grad_(True)
    act(x, token)
    assert calls == [x.shape]                         # the training form

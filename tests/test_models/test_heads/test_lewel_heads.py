import pytest
import torch
import torch.nn.functional as F

from qbheat_mm.models.heads import LEWELHead, LEWELMHead


def test_lewel_head_terms_by_hand():
    head = LEWELHead(in_channels=16, hid_channels=32, alpha=0.3, norm_cfg=dict(type='BN1d'))
    head.init_weights()
    z, u = torch.randn(4, 16), torch.randn(4, 8, 16)
    t, tu = torch.randn(4, 16), torch.randn(4, 8, 16)
    losses = head.loss((z, u), (t, tu))
    p = head.predictor((z, ))[0]
    pu = head.aligned_predictor((u.reshape(32, 16), ))[0].reshape(4, 8, 16)
    lg = (2 - 2 * F.cosine_similarity(p, t, dim=-1)).mean()
    la = (2 - 2 * F.cosine_similarity(pu, tu, dim=-1)).mean()     # over B * K pairs
    assert torch.allclose(losses['loss_global'], 0.3 * lg, atol=1e-6)
    assert torch.allclose(losses['loss_aligned'], 0.7 * la, atol=1e-6)


def test_lewel_head_checks():
    with pytest.raises(ValueError, match='alpha'):
        LEWELHead(alpha=1.5)
    head = LEWELHead(in_channels=4, hid_channels=8, norm_cfg=dict(type='BN1d'))
    with pytest.raises(ValueError, match='differ'):
        head.loss((torch.randn(2, 4), torch.randn(2, 3, 4)),
                  (torch.randn(2, 4), torch.randn(2, 5, 4)))


def test_lewel_m_head_by_hand():
    head = LEWELMHead(temperature=0.5, alpha=0.5)
    q, qu = torch.randn(3, 4), torch.randn(3, 2, 4)
    k, ku = torch.randn(3, 4), torch.randn(3, 2, 4)
    queue = F.normalize(torch.randn(4, 5), dim=0)
    losses = head.loss((q, qu), (k, ku), queue)
    qn, kn = F.normalize(q, dim=1), F.normalize(k, dim=1)
    logits = torch.cat([(qn * kn).sum(1, keepdim=True), qn @ queue], 1) / 0.5
    lg = F.cross_entropy(logits, torch.zeros(3, dtype=torch.long))
    la = torch.stack([
        F.cross_entropy(F.normalize(qu[:, i], dim=1) @ F.normalize(ku[:, i], dim=1).T / 0.5,
                        torch.arange(3)) for i in range(2)]).mean()
    assert torch.allclose(losses['loss_global'], 0.5 * lg, atol=1e-6)
    assert torch.allclose(losses['loss_aligned'], 0.5 * la, atol=1e-6)
    # a perfect, well-separated match scores lower than a random one
    eye = torch.eye(3, 4) * 10
    good = head.loss((eye, eye[:, None].repeat(1, 2, 1)), (eye, eye[:, None].repeat(1, 2, 1)),
                     queue)
    assert good['loss_aligned'] < losses['loss_aligned']

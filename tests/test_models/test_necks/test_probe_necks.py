import pytest
import torch

from qbheat_mm.models import PoolTokenNeck, TransformerProbeNeck


def test_pool_token_neck():
    x, tokens = torch.randn(2, 8, 3, 3), torch.randn(2, 4, 5)
    assert PoolTokenNeck()((x, ))[0].shape == (2, 8)
    out = PoolTokenNeck(with_token=True)((x, tokens))[0]
    assert out.shape == (2, 13) and torch.equal(out[:, 8:], tokens[:, 0])
    assert torch.allclose(out[:, :8], x.mean(dim=(2, 3)))
    with pytest.raises(ValueError, match='return_tokens=True'):
        PoolTokenNeck(with_token=True)((x, ))


@pytest.mark.parametrize('pool', ['cls', 'mean'])
def test_transformer_probe_neck(pool):
    neck = TransformerProbeNeck(8, embed_dims=16, num_heads=2, token_dims=5, pool=pool)
    neck.init_weights()
    x, tokens = torch.randn(2, 8, 3, 4, requires_grad=True), torch.randn(2, 4, 5)
    out = neck((x, tokens))[0]
    assert out.shape == (2, 16)
    out.sum().backward()
    assert x.grad is not None and neck.cls_token.grad is not None
    assert TransformerProbeNeck(8, embed_dims=16, num_heads=2)((x, ))[0].shape == (2, 16)
    with pytest.raises(ValueError, match='return_tokens=True'):
        neck((x, ))

import pytest
import torch
from mmpretrain.registry import MODELS


def test_projector_shapes_residual_and_channel_norm():
    proj = MODELS.build(dict(type='GTSAProjector', in_channels=8, hid_channels=8,
                             out_channels=12))
    proj.init_weights()
    x = torch.randn(2, 8, 5, 5)
    assert proj(x).shape == (2, 12, 5, 5)
    block = proj.blocks[0]
    assert block.residual
    c = block.conv(x)
    y = block.norm(c)            # LayerNorm over channels, no affine, nn.LayerNorm's eps 1e-5
    want = (c - c.mean(1, keepdim=True)) / torch.sqrt(c.var(1, unbiased=False, keepdim=True)
                                                       + 1e-5)
    assert torch.allclose(y, want, atol=1e-5)
    assert not any('norm' in n for n, _ in proj.named_parameters())
    assert torch.allclose(block(x), x + block.act(y))
    with pytest.raises(ValueError, match='in_channels'):
        proj(torch.randn(2, 6, 5, 5))


def test_predictor_defaults_and_depthwise_variant():
    pred = MODELS.build(dict(type='GTSAPredictor', in_channels=16, hid_channels=16,
                             out_channels=16))
    assert len(pred.blocks) == 1 and not pred.blocks[0].residual
    dw = MODELS.build(dict(type='GTSAProjector', in_channels=16, hid_channels=32,
                           out_channels=16, depthwise=True))
    assert dw.blocks[0].conv[0].groups == 16 and not dw.blocks[0].residual
    assert dw.blocks[1].residual
    assert dw(torch.randn(1, 16, 4, 4)).shape == (1, 16, 4, 4)

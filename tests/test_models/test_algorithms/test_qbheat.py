import copy

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

MF26 = dict(
    type='QBHeat',
    feature_stride=32,
    backbone=dict(type='MobileFormer', arch='26m', out_indices=(4, )),
    neck=dict(type='HeatExtrapolationNeck', in_channels=96),
    head=dict(type='QBHeatHead', patch_size=32,
              decoder=dict(type='QBHeatTransformerDecoder', in_channels=96, embed_dims=64,
                           depth=1, num_heads=4)))
RESNET18 = dict(
    MF26,
    backbone=dict(type='ResNet', depth=18, out_indices=(3, )),
    neck=dict(type='HeatExtrapolationNeck', in_channels=512),
    head=dict(type='QBHeatHead', patch_size=32,
              decoder=dict(type='QBHeatConvDecoder', in_channels=512, embed_dims=64, depth=1)))


def build(cfg):
    model = MODELS.build(copy.deepcopy(cfg))
    model.init_weights()
    return model


def test_encoder_sees_only_the_visible_quarter():
    model = build(MF26).eval()
    x = torch.randn(2, 3, 128, 128)
    y = x.clone()
    y[..., 64:, :] = torch.randn_like(y[..., 64:, :])
    y[..., :64, 64:] = 0.
    with torch.no_grad():
        a, b = model.encode_visible(x), model.encode_visible(y)
    assert a.shape == (2, 96, 2, 2)
    assert torch.equal(a, b)
    with torch.no_grad():
        full_a, full_b = model.predict_full(x)[1], model.predict_full(y)[1]
    assert full_a.shape == (2, 96, 4, 4) and torch.equal(full_a, full_b)


def test_loss_dict_and_diagnostics():
    model = build(MF26)
    losses = model(torch.randn(2, 3, 128, 128), mode='loss')
    assert set(losses) == {'loss', 'heat_commutator', 'heat_rho_x', 'heat_rho_y'}
    assert losses['loss'].requires_grad and torch.isfinite(losses['loss'])
    assert float(losses['heat_rho_x']) == pytest.approx(1.0)


def test_extract_feat_whole_image():
    model = build(MF26).eval()
    with torch.no_grad():
        feats = model(torch.randn(1, 3, 128, 128), mode='tensor')
    assert feats[-1].shape == (1, 96, 4, 4)


@pytest.mark.parametrize('size', [(96, 96), (128, 100)])
def test_size_not_divisible(size):
    model = build(MF26)
    with pytest.raises(ValueError, match='divisible by 2 \\* feature_stride = 64'):
        model(torch.randn(1, 3, *size), mode='loss')


def test_wrong_feature_stride():
    model = build(dict(MF26, feature_stride=16))
    with pytest.raises(ValueError, match="set feature_stride to the backbone's output stride"):
        model(torch.randn(1, 3, 128, 128), mode='loss')


def test_random_corner_flips_images():
    model = build(dict(MF26, visible_block='random'))
    x = torch.arange(4.).view(1, 1, 2, 2).expand(64, 3, 2, 2)
    flipped = model.flip_random_corner(x)
    corners = {tuple(img[0].flatten().tolist()) for img in flipped}
    assert corners == {(0., 1., 2., 3.), (1., 0., 3., 2.), (2., 3., 0., 1.), (3., 2., 1., 0.)}
    with pytest.raises(ValueError, match='choose one of'):
        build(dict(MF26, visible_block='center'))


@pytest.mark.parametrize('cfg', [MF26, RESNET18], ids=['mobileformer-26m', 'resnet18'])
def test_overfit_one_batch(cfg):
    model = build(cfg)
    model.train()
    # smooth images: the masked quarters are partly predictable from the visible one
    x = F.interpolate(torch.randn(4, 3, 4, 4), size=(128, 128), mode='bicubic',
                      align_corners=False)
    optim = torch.optim.AdamW(model.parameters(), lr=2e-3)
    losses = []
    for _ in range(30):
        loss = model(x, mode='loss')['loss']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert sum(losses[-3:]) / 3 < 0.7 * losses[0], losses
    assert model.neck.A.abs().sum() > 0  # the heat operators learn too


def test_masked_full_ablation_encodes_whole_masked_image():
    model = build(dict(MF26, encoder_input='masked_full')).eval()
    x = torch.randn(2, 3, 128, 128)
    y = x.clone()
    y[..., 64:, :] = torch.randn_like(y[..., 64:, :])  # masked pixels never reach the encoder
    with torch.no_grad():
        (va, fa), (vb, fb) = model.predict_full(x), model.predict_full(y)
    assert fa.shape == (2, 96, 4, 4) and va.shape == (2, 96, 2, 2)
    assert torch.equal(fa, fb) and torch.equal(va, vb)
    losses = model(x, mode='loss')
    assert set(losses) == {'loss'}
    with pytest.raises(ValueError, match='choose one of'):
        build(dict(MF26, encoder_input='canvas'))

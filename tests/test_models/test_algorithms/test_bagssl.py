import pytest
import torch
from mmpretrain.registry import MODELS


def bag_cfg(typ='BagSSL', **kwargs):
    cfg = dict(
        type=typ,
        data_preprocessor=dict(type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53],
                               std=[58.395, 57.12, 57.375], to_rgb=True),
        backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'),
                      zero_init_residual=False),
        neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=64, out_channels=64,
                  num_layers=3, with_bias=True, with_last_bn=False, with_last_bias=True,
                  norm_cfg=dict(type='BN1d')),
        head=dict(type='VICRegHead'))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.train()


def test_losses_and_gradients():
    model = bag_cfg()
    losses = model([torch.randn(4, 3, 32, 32) for _ in range(3)], None, mode='loss')
    assert set(losses) == {'loss_invariance', 'loss_variance', 'loss_covariance'}
    assert all(torch.isfinite(v) and v > 0 for v in losses.values())
    sum(losses.values()).backward()
    params = dict(model.named_parameters())
    for name in ('backbone.conv1.weight', 'backbone.layer4.1.conv2.weight', 'neck.fc0.weight',
                 'neck.fc2.weight', 'neck.fc2.bias'):
        assert params[name].grad is not None and params[name].grad.abs().sum() > 0, name


def test_one_backbone_call_per_size_and_bag_layout():
    model = bag_cfg().eval()
    calls = []
    model.backbone.register_forward_hook(lambda m, i, o: calls.append(i[0].shape))
    views = [torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64), torch.randn(2, 3, 32, 32)]
    z = model.embed(views)
    assert calls == [(4, 3, 64, 64), (2, 3, 32, 32)] and z.shape == (2, 3, 64)
    # view i of image b is z[b, i]: equal to embedding that view alone (eval mode)
    alone = model.neck((model.backbone(views[1])[-1], ))[0]
    assert torch.allclose(z[:, 1], alone, atol=1e-5)


def test_three_views_keep_rgb_order():
    """With n = 3 a (B, n, 3, h, w) stack would have had its *view* axis flipped by the
    preprocessor; views travel as a list of 4-D batches, so each view's channels flip."""
    model = bag_cfg()
    bgr = torch.zeros(3, 8, 8, dtype=torch.uint8)
    bgr[0] = 255                                   # pure blue in BGR (cv2's order)
    data = dict(inputs=[torch.stack([bgr, bgr]) for _ in range(3)], data_samples=None)
    views = model.data_preprocessor(data, False)['inputs']
    assert len(views) == 3 and views[0].shape == (2, 3, 8, 8)
    for view in views:   # RGB: blue is channel 2, normalised (255 - 103.53) / 57.375
        assert torch.allclose(view[:, 2], torch.full((2, 8, 8), (255 - 103.53) / 57.375))
        assert torch.allclose(view[:, 0], torch.full((2, 8, 8), -123.675 / 58.395))


def test_overfit_batch_loss_decreases():
    model = bag_cfg()
    optim = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    views = [torch.randn(8, 3, 32, 32) for _ in range(4)]
    history = []
    for _ in range(15):
        optim.zero_grad()
        loss = sum(model(list(views), None, mode='loss').values())
        loss.backward()
        optim.step()
        history.append(float(loss))
    assert history[-1] < 0.7 * history[0], history


def test_bad_bags():
    model = bag_cfg()
    with pytest.raises(ValueError, match='at least 2 views.*MultiView'):
        model([torch.randn(2, 3, 32, 32)], None, mode='loss')
    with pytest.raises(ValueError, match='16x16 patch leaves no feature cell at the backbone '
                                         'stride 32'):
        model([torch.randn(2, 3, 16, 16)] * 2, None, mode='loss')
    vicreg = bag_cfg('VICReg')
    with pytest.raises(ValueError, match="two views.*type='BagSSL'"):
        vicreg([torch.randn(2, 3, 32, 32)] * 3, None, mode='loss')
    assert set(vicreg([torch.randn(2, 3, 32, 32)] * 2, None, mode='loss')) == {
        'loss_invariance', 'loss_variance', 'loss_covariance'}

import copy

import pytest
import torch

from .helpers import build


def lewel_cfg(typ='LEWEL', **kwargs):
    cfg = dict(
        type=typ,
        backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'),
                      zero_init_residual=False),
        neck=dict(type='LEWELNeck', in_channels=512, hid_channels=32, out_channels=16,
                  num_heads=2, norm_cfg=dict(type='BN1d')),
        head=dict(type='LEWELHead', in_channels=16, hid_channels=32,
                  norm_cfg=dict(type='BN1d')))
    if typ == 'LEWELM':
        cfg.update(head=dict(type='LEWELMHead'), queue_len=32, feat_dim=16)
    cfg.update(kwargs)
    return cfg


def views(b=4, size=64):
    return [torch.randn(b, 3, size, size), torch.randn(b, 3, size, size)]


def online_params(model):
    return dict(torch.nn.Sequential(model.backbone, model.neck).named_parameters())


@pytest.mark.parametrize('typ', ['LEWEL', 'LEWELM'])
def test_losses_and_gradients(typ):
    model = build(lewel_cfg(typ))
    losses = model(views(), None, mode='loss')
    assert set(losses) == {'loss_global', 'loss_aligned'}
    assert all(torch.isfinite(v) and v > 0 for v in losses.values())
    sum(losses.values()).backward()
    for name in ('backbone.conv1.weight', 'backbone.layer4.1.conv2.weight',
                 'neck.projector.fc0.weight', 'neck.aligned_projector.fc1.weight'):
        grad = dict(model.named_parameters())[name].grad
        assert grad is not None and grad.abs().sum() > 0, name
    if typ == 'LEWEL':
        for name in ('head.predictor.fc0.weight', 'head.aligned_predictor.fc1.weight'):
            assert dict(model.named_parameters())[name].grad.abs().sum() > 0, name
    assert all(p.grad is None and not p.requires_grad for p in model.target_net.parameters())


def test_target_moves_towards_online():
    model = build(lewel_cfg(base_momentum=0.1), max_iters=4)
    optim = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    target = dict(model.target_net.module.named_parameters())

    def step():
        optim.zero_grad()
        sum(model(views(), None, mode='loss').values()).backward()
        optim.step()

    step()   # the first update copies the online weights into the target
    online = {k: v.detach().clone() for k, v in online_params(model).items()}
    before = {k: v.clone() for k, v in target.items()}
    changed = [k for k in online if not torch.equal(online[k], before[k])]
    assert len(changed) > 0.9 * len(online)   # online has moved on since the copy
    step()   # the second update averages towards the online weights of that moment
    for name in changed:
        assert (target[name] - online[name]).norm() < (before[name] - online[name]).norm()


def test_target_momentum_is_the_cosine_schedule():
    model = build(lewel_cfg(base_momentum=0.2), max_iters=4)
    model(views(), None, mode='loss')       # step 0: copy
    snap = {k: v.clone() for k, v in model.target_net.module.named_parameters()}
    online = {k: v.clone() for k, v in online_params(model).items()}
    with torch.no_grad():
        for p in online_params(model).values():
            p.add_(1.0)
    model(views(), None, mode='loss')       # step 1: m = 0.2 * (cos(pi/4) + 1) / 2
    m = 0.2 * (torch.cos(torch.tensor(torch.pi / 4)) + 1) / 2
    for k, v in model.target_net.module.named_parameters():
        assert torch.allclose(v, (1 - m) * snap[k] + m * (online[k] + 1.0), atol=1e-5), k


def test_eman_buffers_change_only_through_the_ema():
    model = build(lewel_cfg(eman=True, base_momentum=0.5), max_iters=1000)
    assert not model.target_net.training and model.backbone.training
    model.train()    # the runner calls train() every epoch
    assert not model.target_net.module.training
    bn = 'bn1.running_mean'
    initial = dict(model.backbone.named_buffers())[bn].clone()
    model(views(), None, mode='loss')
    target_bn = dict(model.target_net.module.named_buffers())['0.' + bn]
    assert torch.equal(target_bn, initial)     # step 0 copies the state before the forward
    prev_target = target_bn.clone()
    online_before = dict(model.backbone.named_buffers())[bn].clone()
    model(views(), None, mode='loss')
    m = 0.5 * (torch.cos(torch.tensor(torch.pi / 1000)) + 1) / 2
    assert torch.allclose(target_bn, (1 - m) * prev_target + m * online_before, atol=1e-6)
    # the eval-mode target forward itself does not touch its statistics
    frozen = target_bn.clone()
    with torch.no_grad():
        model.target_net(torch.randn(2, 3, 64, 64))
    assert torch.equal(target_bn, frozen)


def test_byol_target_copies_buffers():
    model = build(lewel_cfg(eman=False))
    assert model.target_net.training
    model(views(), None, mode='loss')
    model(views(), None, mode='loss')
    bn = 'bn1.running_mean'
    # the target's own train-mode forward updates its statistics after the copy
    online = dict(model.backbone.named_buffers())[bn]
    target = dict(model.target_net.module.named_buffers())['0.' + bn]
    assert not torch.equal(online, target) and torch.isfinite(target).all()


def test_lewel_m_queue_takes_both_views_keys():
    model = build(lewel_cfg('LEWELM'))
    queue = model.queue.clone()
    model(views(b=4), None, mode='loss')
    assert int(model.queue_ptr) == 8
    assert not torch.equal(model.queue[:, :8], queue[:, :8])
    assert torch.equal(model.queue[:, 8:], queue[:, 8:])
    assert torch.allclose(model.queue[:, :8].norm(dim=0), torch.ones(8))
    bad = build(lewel_cfg('LEWELM', queue_len=30))
    with pytest.raises(ValueError, match='multiple of the keys per step'):
        bad(views(b=4), None, mode='loss')


def test_extract_feat_is_the_backbone_output():
    model = build(lewel_cfg()).eval()
    x = torch.randn(2, 3, 64, 64)
    feats = model.extract_feat(x)
    assert torch.equal(feats[-1], model.backbone(x)[-1]) and feats[-1].shape == (2, 512, 2, 2)


def test_one_view_is_refused():
    model = build(lewel_cfg())
    with pytest.raises(ValueError, match='two augmented views.*MultiView'):
        model(views()[:1], None, mode='loss')
    with pytest.raises(ValueError, match='one tensor'):
        model.loss(torch.randn(2, 3, 64, 64), None)


def test_map_too_small_is_refused():
    model = build(lewel_cfg())
    with pytest.raises(ValueError, match='1x1 feature map.*fewer than min_positions'):
        model(views(size=32), None, mode='loss')


def test_overfit_batch_loss_decreases():
    model = build(lewel_cfg(eman=True, base_momentum=0.01), max_iters=30)
    optim = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.05,
                            momentum=0.9)
    batch = views(b=8)
    history = []
    for _ in range(30):
        optim.zero_grad()
        loss = sum(model(copy.copy(batch), None, mode='loss').values())
        loss.backward()
        optim.step()
        history.append(float(loss))
    assert sum(history[-5:]) / 5 < 0.7 * sum(history[:5]) / 5, history

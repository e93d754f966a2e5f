"""Every algorithm with a momentum encoder keeps following its online network after the
model is moved (``.double()`` takes the same ``Module._apply`` path as ``.to('cuda')``),
by the EMA formula, step by step (float64, exact to rounding)."""
import math

import pytest
import torch
from torch import nn

from .helpers import build
from .test_gtsa import random_batch, tiny_cfg
from .test_lewel import lewel_cfg

MAX_ITERS = 10


def mocov2_cfg():
    """The stock mmpretrain MoCo-v2 (our baseline) on a small ResNet-18."""
    return dict(
        type='MoCo', queue_len=32, feat_dim=16, momentum=0.1,
        backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'),
                      zero_init_residual=False),
        neck=dict(type='MoCoV2Neck', in_channels=512, hid_channels=32, out_channels=16,
                  with_avg_pool=True),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                  temperature=0.2))


def two_views():
    return [torch.randn(4, 3, 64, 64), torch.randn(4, 3, 64, 64)], None


def gtsa_batch():
    return random_batch(batch=2, num_local=2, size=64, local=32)


CASES = {
    'LEWEL': (lambda: lewel_cfg(base_momentum=0.3), two_views, 'target_net'),
    'LEWEL-EMAN': (lambda: lewel_cfg(eman=True, base_momentum=0.3), two_views, 'target_net'),
    'LEWEL_M': (lambda: lewel_cfg('LEWELM', base_momentum=0.3, end_momentum=0.3), two_views,
                'target_net'),
    'GTSA': (lambda: tiny_cfg(base_momentum=0.3), gtsa_batch, 'target_net'),
    'MoCo-v2': (mocov2_cfg, two_views, 'encoder_k'),
}


def online_state(model, ema) -> dict:
    """What the EMA reads from the online network: parameters, plus buffers with EMAN."""
    online = nn.Sequential(model.backbone, model.neck)
    state = online.state_dict() if ema.update_buffers else dict(online.named_parameters())
    return {k: v.detach().clone() for k, v in state.items()}


def target_state(ema) -> dict:
    state = ema.module.state_dict() if ema.update_buffers else dict(
        ema.module.named_parameters())
    return {k: v.detach().clone() for k, v in state.items()}


def expected_momentum(ema, t: int) -> float:
    """CosineEMA's annealed momentum at update t; MoCo's plain EMA keeps its momentum."""
    if not hasattr(ema, 'end_momentum'):
        return ema.momentum
    cosine = (math.cos(math.pi * t / MAX_ITERS) + 1) / 2
    return ema.end_momentum - (ema.end_momentum - ema.momentum) * cosine


@pytest.mark.parametrize('name', list(CASES))
def test_target_follows_the_online_network_after_the_model_is_moved(name):
    make_cfg, make_batch, attr = CASES[name]
    model = build(make_cfg(), max_iters=MAX_ITERS).double()
    ema = getattr(model, attr)
    optim = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    prev = None
    total_change = 0.
    for t in range(4):
        inputs, samples = make_batch()
        inputs = [v.double() for v in inputs]
        seen = online_state(model, ema)   # the update reads the state the last step left
        optim.zero_grad()
        sum(model(inputs, samples, mode='loss').values()).backward()
        optim.step()
        now = target_state(ema)
        m = expected_momentum(ema, t)
        for key, value in now.items():
            if t == 0 or not value.dtype.is_floating_point:
                want, slack = seen[key], 0.
            else:
                want = (1 - m) * prev[key] + m * seen[key]
                # mmengine computes the cosine momentum in float32: allow its rounding
                slack = 1e-7 * (seen[key] - prev[key]).abs()
            assert value.dtype == seen[key].dtype
            assert ((value - want).abs() <= slack + 1e-12).all(), (name, t, key)
        if prev is not None:
            total_change += sum(float((now[k] - prev[k]).abs().sum()) for k in now
                                if now[k].dtype.is_floating_point)
        prev = now
    assert total_change > 1e-3, 'the target did not move at all'


def test_eman_target_starts_from_the_initial_statistics():
    """Official LEWEL order: at step 0 the target holds the initial weights and BN statistics,
    not the statistics this iteration's online forward has already updated."""
    model = build(lewel_cfg(eman=True, base_momentum=0.5), max_iters=MAX_ITERS)
    initial = {k: v.clone() for k, v in model.backbone.named_buffers()}
    model(*two_views(), mode='loss')
    target = dict(model.target_net.module.named_buffers())
    online = dict(model.backbone.named_buffers())
    assert torch.equal(target['0.bn1.running_mean'], initial['bn1.running_mean'])
    assert not torch.equal(online['bn1.running_mean'], initial['bn1.running_mean'])
    assert int(target['0.bn1.num_batches_tracked']) == 0


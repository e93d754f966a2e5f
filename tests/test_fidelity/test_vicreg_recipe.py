"""The VICReg configs follow facebookresearch/vicreg (main_vicreg.py): the LARS rule, the
learning-rate schedule, per-view BatchNorm statistics, the expander and the ResNet init.
Expected values come from the official formulas, written out here."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS
from mmpretrain.registry import MODELS
from torch import nn

from qbheat_mm.engine.optimizers import VICRegLARS

from ..conftest import REPO
from ..test_models.test_algorithms.test_bagssl import bag_cfg

CONFIG = osp.join(REPO, 'configs/vicreg/vicreg_resnet50_8xb256-lars-coslr-100e_in1k.py')


def official_lars_step(params, state, lr, wd=1e-6, momentum=0.9, eta=0.001):
    """The official LARS step (exclude_bias_and_norm: 1-D tensors skip decay and scaling)."""
    for i, p in enumerate(params):
        d = p.grad.clone()
        if p.ndim != 1:
            d = d + wd * p
            p_norm, d_norm = p.norm(), d.norm()
            if p_norm > 0 and d_norm > 0:
                d = d * (eta * p_norm / d_norm)
        state[i] = momentum * state.get(i, torch.zeros_like(p)) + d
        p.data -= lr * state[i]


def test_vicreg_lars_is_the_official_rule_and_differs_from_mmpretrain_lars():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.Linear(5, 3)).double()
    twin = [p.detach().clone() for p in net.parameters()]
    mm = [p.detach().clone() for p in net.parameters()]
    opt = VICRegLARS(net.parameters(), lr=0.1, weight_decay=0.05)
    from mmpretrain.engine.optimizers import LARS
    mm_params = [nn.Parameter(p) for p in mm]
    mm_opt = LARS(mm_params, lr=0.1, weight_decay=0.05, momentum=0.9, eta=0.001)
    state = {}
    x = torch.randn(8, 6, dtype=torch.float64)
    for step, lr in enumerate((0.01, 0.05, 0.1)):      # a warm-up: the lr changes
        for group in opt.param_groups + mm_opt.param_groups:
            group['lr'] = lr
        opt.zero_grad()
        net(x).pow(2).sum().backward()
        grads = [p.grad.clone() for p in net.parameters()]
        opt.step()
        for p, g in zip(twin, grads):
            p.grad = g
        official_lars_step(twin, state, lr, wd=0.05)
        for p, g in zip(mm_params, grads):
            p.grad = g
        mm_opt.step()
    for ours, want in zip(net.parameters(), twin):
        assert torch.allclose(ours, want, rtol=0, atol=1e-13)
    # mmpretrain's LARS (the LEWEL rule) moves the weights differently in a warm-up
    gap = max(float((a - b).abs().max()) for a, b in zip(mm_params, twin))
    assert gap > 1e-6


def official_lr(step, steps_per_epoch, epochs, base_lr):
    warmup = 10 * steps_per_epoch
    if step < warmup:
        return base_lr * step / warmup
    q = 0.5 * (1 + math.cos(math.pi * (step - warmup) / (epochs * steps_per_epoch - warmup)))
    return base_lr * q + base_lr * 0.001 * (1 - q)


def test_config_lr_schedule_is_the_official_one():
    cfg = Config.fromfile(CONFIG)
    assert cfg.optim_wrapper.optimizer.type == 'VICRegLARS'
    base_lr = cfg.optim_wrapper.optimizer.lr
    assert base_lr == pytest.approx(0.2 * 2048 / 256)
    model = nn.Linear(2, 2)
    wrapper = build_optim_wrapper(model, dict(type='OptimWrapper',
                                              optimizer=cfg.optim_wrapper.optimizer))
    length, epochs = 7, cfg.max_epochs
    schedulers = [PARAM_SCHEDULERS.build(dict(s), default_args=dict(
        optimizer=wrapper, epoch_length=length)) for s in cfg.param_scheduler]
    for step in range(epochs * length):
        lr = wrapper.optimizer.param_groups[0]['lr']
        assert lr == pytest.approx(official_lr(step, length, epochs, base_lr),
                                   rel=1e-12, abs=1e-15), step
        for s in schedulers:
            s.step()


def test_config_model_is_the_official_network():
    cfg = Config.fromfile(CONFIG).model
    assert cfg.type == 'VICReg' and cfg.backbone.zero_init_residual
    small = dict(cfg.neck, in_channels=512, hid_channels=16, out_channels=16,
                 norm_cfg=dict(type='BN1d'))
    neck = MODELS.build(small)
    linears = [m for m in neck.modules() if isinstance(m, nn.Linear)]
    assert [m.bias is not None for m in linears] == [True, True, False]
    # Linear-BN-ReLU, Linear-BN-ReLU, Linear: two BatchNorms, none after the last layer
    assert sum(isinstance(m, nn.BatchNorm1d) for m in neck.modules()) == 2


def test_vicreg_normalises_each_view_with_its_own_batch_statistics():
    model = bag_cfg('VICReg')
    assert not model.joint_views
    views = [torch.randn(4, 3, 64, 64), torch.randn(4, 3, 64, 64) * 3 + 1]
    z = model.embed(views)
    for i, view in enumerate(views):
        alone = model.neck((model.backbone(view)[-1], ))[0]
        assert torch.allclose(z[:, i], alone, atol=1e-5)
    joint = bag_cfg('BagSSL')
    joint.load_state_dict(model.state_dict())
    assert joint.joint_views
    assert not torch.allclose(joint.embed(views), z, atol=1e-3)   # shared statistics

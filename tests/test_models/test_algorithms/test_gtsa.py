"""GTSA: the crop loss aligns rotated crops exactly, the correspondence loss, the warm-up gate,
gradients, and one clear error for each bad input."""
import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from qbheat_mm.datasets.transforms import GTSAMultiCrop
from qbheat_mm.models.heads.gtsa_head import GTSAHead, rotate_maps

from .helpers import build


@MODELS.register_module(force=True)
class CellMeanBackbone(BaseModule):
    """Mean centred colour of every non-overlapping 16 x 16 cell: a (B, 3, H/16, W/16) map."""

    def forward(self, x):
        return (F.avg_pool2d(x - 127.5, 16), )


@MODELS.register_module(force=True)
class IdentityMap(nn.Module):
    def __init__(self, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


def tiny_cfg(**kwargs):
    cfg = dict(
        type='GTSA', pc_warmup_iters=0,
        backbone=dict(type='MobileFormer', arch='26m', out_indices=(3, 4)),
        neck=dict(type='GTSAProjector', in_channels=64, hid_channels=32, out_channels=32,
                  depthwise=True),
        predictor=dict(type='GTSAPredictor', in_channels=32, hid_channels=32,
                       out_channels=32),
        head=dict(type='GTSAHead', roi_sizes=(3, 1), topk=(8, 2), large_positions=8),
        rotation_head=dict(type='GTSARotationHead', hid_channels=32, bottleneck_channels=16))
    cfg.update(kwargs)
    return cfg


class FixedCrops(GTSAMultiCrop):
    """Both globals on one given box with given rotations (colour augmentation off)."""

    def __init__(self, box, rotations, **kwargs):
        super().__init__(**kwargs)
        self.box, self.rotations = box, np.asarray(rotations)

    def sample_boxes(self, height, width):
        return [self.box] * len(self.sizes), 0

    def sample_rotations(self, n):
        return self.rotations


def batch_from(transform, images):
    outs = [transform(dict(img=img)) for img in images]
    inputs = [torch.stack([torch.from_numpy(o['img'][v].copy()).permute(2, 0, 1).float()
                           for o in outs]) for v in range(len(outs[0]['img']))]
    samples = []
    for o in outs:
        s = DataSample()
        for key in ('gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot'):
            s.set_field(o[key], key)
        samples.append(s)
    return inputs, samples


def random_batch(batch=2, num_local=2, size=64, local=32, seed=0):
    np.random.seed(seed)
    rng = np.random.default_rng(seed)
    images = [rng.integers(0, 255, (100, 120, 3), dtype=np.uint8) for _ in range(batch)]
    t = GTSAMultiCrop(num_global=2, num_local=num_local, global_size=size, local_size=local)
    return batch_from(t, images)


def cell_mean_model(**kwargs):
    return build(tiny_cfg(
        backbone=dict(type='CellMeanBackbone'), neck=dict(type='IdentityMap'),
        predictor=dict(type='IdentityMap'), rotation_head=dict(type='GTSARotationHead',
                                                               hid_channels=8), **kwargs))


def test_same_box_at_two_rotations_gives_crop_loss_of_exactly_minus_one():
    rng = np.random.default_rng(0)    # random colour per 8 x 8 block
    image = rng.integers(0, 255, (12, 12, 3), dtype=np.uint8).repeat(8, 0).repeat(8, 1)
    t = FixedCrops((16, 8, 80, 72), [0, 1], num_global=2, num_local=0, global_size=64)
    inputs, samples = batch_from(t, [image])
    assert not torch.equal(inputs[0], inputs[1])          # really rotated
    model = cell_mean_model()
    losses = model.loss(inputs, samples)
    assert losses['loss_crop'].item() == pytest.approx(-1.0, abs=1e-6)

    # the same pair with the rotation offset's sign flipped does not align
    student, teacher = model.student(inputs)[0], model.teacher(inputs[:2])
    gc = torch.as_tensor(samples[0].gtsa_gc_boxes)[None]
    all_ = torch.as_tensor(samples[0].gtsa_all_boxes)[None]
    right = model.head.crop_loss(student[1], teacher[0], all_[:, 1, 0], gc[:, 0, 1],
                                 torch.tensor([1]))
    wrong = model.head.crop_loss(student[1], teacher[0], all_[:, 1, 0], gc[:, 0, 1],
                                 torch.tensor([-1]))
    assert right.item() == pytest.approx(-1.0, abs=1e-6)
    assert wrong.item() > -0.9


def test_a_local_crop_nested_in_the_global_nearly_aligns():
    """A local crop of the whole box at half resolution: cell means of a smooth image agree."""
    y, x = np.mgrid[0:128, 0:128]
    image = np.stack([x, y, 255 - x], -1).astype(np.uint8)
    t = FixedCrops((0, 0, 128, 128), [1, 3, 2], num_global=2, num_local=1, global_size=64,
                   local_size=32, interpolation='bilinear')
    inputs, samples = batch_from(t, [image])
    model = cell_mean_model()
    student, teacher = model.student(inputs)[0], model.teacher(inputs[:2])
    gc = torch.as_tensor(samples[0].gtsa_gc_boxes)[None]
    all_ = torch.as_tensor(samples[0].gtsa_all_boxes)[None]
    loss = model.head.crop_loss(student[2], teacher[0], all_[:, 2, 0], gc[:, 0, 2],
                                torch.tensor([3 - 1]))
    assert loss.item() < -0.99


def test_rotate_maps_turns_each_sample_by_its_own_k():
    x = torch.rand(4, 2, 3, 3)
    k = torch.tensor([0, 1, 2, -1])
    out = rotate_maps(x, k)
    for b in range(4):
        assert torch.equal(out[b], torch.rot90(x[b], int(k[b]) % 4, (-2, -1)))


def test_roi_pooling_of_the_whole_map_at_map_size_is_the_map():
    head = GTSAHead(feature_stride=16, roi_sizes=(4, 2))
    x = torch.rand(2, 5, 4, 4)
    boxes = torch.tensor([[0., 0., 64., 64.]] * 2)
    assert torch.allclose(head.pool(x, boxes, 4), x, atol=1e-6)


def test_correspondence_loss_matches_a_brute_force_loop_and_is_minus_one_on_equal_maps():
    head = GTSAHead(roi_sizes=(3, 1), topk=(5, 2), large_positions=8)
    s, t = torch.randn(2, 6, 3, 3), torch.randn(2, 6, 4, 4)
    k = 5                      # 9 student positions > 8: large
    total = []
    for b in range(2):
        sn = F.normalize(s[b].flatten(1), dim=0).T     # (9, C)
        tn = F.normalize(t[b].flatten(1), dim=0).T     # (16, C)
        sim = sn @ tn.T
        best_s = sorted([max(row) for row in sim.tolist()], reverse=True)[:k]
        best_t = sorted([max(col) for col in sim.T.tolist()], reverse=True)[:k]
        total.append((sum(best_s) / k, sum(best_t) / k))
    expected = -0.5 * (np.mean([a for a, _ in total]) + np.mean([b for _, b in total]))
    assert head.correspondence_loss(s, t).item() == pytest.approx(expected, abs=1e-5)
    assert head.correspondence_loss(s, s).item() == pytest.approx(-1.0, abs=1e-6)
    small = torch.randn(2, 6, 2, 2)                    # 4 positions: small, k = 2
    assert head.size_class(small) == 1 and head.size_class(s) == 0


def test_pc_weight_is_zero_through_the_warm_up():
    model = build(tiny_cfg(pc_warmup_iters=None, pc_warmup_epochs=10))
    hub = MessageHub.get_current_instance()
    for epoch, weight in ((0, 0.), (10, 0.), (11, 0.5), (50, 0.5)):
        hub.update_info('epoch', epoch)
        assert model.pc_weight() == weight
    model = build(tiny_cfg(pc_warmup_iters=5))
    for it, weight in ((0, 0.), (4, 0.), (5, 0.5)):
        hub.update_info('iter', it)
        assert model.pc_weight() == weight


def test_losses_gradients_and_teacher():
    model = build(tiny_cfg(pc_warmup_iters=0), max_iters=10)
    inputs, samples = random_batch()
    first = copy.deepcopy(model.target_net.module.state_dict())
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_crop', 'loss_pc', 'loss_rot'}
    assert all(torch.isfinite(v) for v in losses.values())
    assert -1 <= losses['loss_crop'].item() <= 1 and losses['loss_pc'].item() < 0
    sum(losses.values()).backward()
    for name in ('backbone', 'neck', 'predictor', 'rotation_head'):
        grads = [p.grad for p in getattr(model, name).parameters() if p.requires_grad]
        assert grads and any(g is not None and g.abs().sum() > 0 for g in grads), name
    assert all(p.grad is None for p in model.target_net.parameters())
    # after an optimiser step the teacher moves towards the student
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    MessageHub.get_current_instance().update_info('iter', 1)
    model.loss(inputs, samples)
    moved = model.target_net.module.state_dict()
    assert any(not torch.equal(first[k], moved[k]) for k in first if first[k].is_floating_point())


def test_warm_up_skips_the_correspondence_loss():
    model = build(tiny_cfg(pc_warmup_iters=3))
    MessageHub.get_current_instance().update_info('iter', 0)
    inputs, samples = random_batch()
    assert model.loss(inputs, samples)['loss_pc'].item() == 0.


def test_rotation_head_width_comes_from_the_backbone():
    model = build(tiny_cfg())
    assert model.rotation_head.mlp[0].in_features == 96      # MF-26M stride-32 width
    vit = build(tiny_cfg(backbone=dict(type='VisionTransformer', arch='deit-tiny',
                                       patch_size=16, img_size=64, out_type='featmap'),
                         neck=dict(type='GTSAProjector', in_channels=192, hid_channels=32,
                                   out_channels=32)))
    assert vit.rotation_head.mlp[0].in_features == 192
    inputs, samples = random_batch()
    assert torch.isfinite(sum(vit.loss(inputs, samples).values()))
    resnet = build(tiny_cfg(backbone=dict(type='ResNet', depth=18, out_indices=(2, 3)),
                            neck=dict(type='GTSAProjector', in_channels=256, hid_channels=32,
                                      out_channels=32)))
    assert resnet.rotation_head.mlp[0].in_features == 512    # stride-32 width
    assert torch.isfinite(sum(resnet.loss(inputs, samples).values()))


def test_overfit_batch_loss_falls():
    model = build(tiny_cfg(pc_warmup_iters=0), max_iters=30)
    inputs, samples = random_batch(batch=4)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    hub = MessageHub.get_current_instance()
    history = []
    for it in range(15):
        hub.update_info('iter', it)
        loss = sum(model.loss(inputs, samples).values())
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    assert np.mean(history[-3:]) < np.mean(history[:3]) - 0.1, history


# ------------------------------------------------------------------- bad input
def test_crop_smaller_than_the_stride_is_refused():
    model = build(tiny_cfg())
    inputs, samples = random_batch()
    inputs[-1] = torch.rand(2, 3, 8, 8)
    with pytest.raises(ValueError, match='multiple of the feature stride 16'):
        model.loss(inputs, samples)


def test_box_list_that_does_not_match_the_views_is_refused():
    model = build(tiny_cfg())
    inputs, samples = random_batch(num_local=2)
    with pytest.raises(ValueError, match=r'gtsa_gc_boxes has shape \(2, 4, 4\).*3 crops'):
        model.loss(inputs[:3], samples)
    for s in samples:
        del s.gtsa_rot
    with pytest.raises(ValueError, match="algorithm_keys=\\['gtsa_gc_boxes'"):
        model.loss(inputs, samples)


def test_backbone_without_a_map_at_the_stride_is_refused():
    with pytest.raises(ValueError, match='stride 16.*out_indices=\\(3, 4\\)'):
        MODELS.build(tiny_cfg(backbone=dict(type='MobileFormer', arch='26m',
                                            out_indices=(4, ))))
    with pytest.raises(ValueError, match='needs a 4-D'):
        MODELS.build(tiny_cfg(backbone=dict(type='MobileFormer', arch='26m', out_indices=(),
                                            return_tokens=True)))


def test_rotation_label_outside_zero_to_three_is_refused():
    model = build(tiny_cfg())
    inputs, samples = random_batch()
    samples[0].gtsa_rot = np.array([0, 1, 5, 2])
    with pytest.raises(ValueError, match='0..3'):
        model.loss(inputs, samples)
    with pytest.raises(ValueError, match='0..3'):
        model.rotation_head.loss(torch.rand(2, 96), torch.tensor([0, 4]))

"""The GTSA ViT-S/16 config follows bok3948/GTSA: weight-decay groups, per-parameter gradient
clipping, bilinear crops, whole-pixel overlap thresholds, the last partial batch dropped,
LayerNorm eps and DINO's position-embedding resize. Expected values from the official
formulas, written out here."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from PIL import Image
from torch import nn

from qbheat_mm.datasets.transforms import GTSAMultiCrop
from qbheat_mm.engine.optimizers import PerParamClipOptimWrapper
from qbheat_mm.models.necks.gtsa_projector import GTSAConvBlock

from ..conftest import REPO
from ..test_models.test_algorithms.helpers import build

CONFIG = osp.join(REPO, 'configs/gtsa/gtsa_vit-small-p16_8xb64-coslr-100e_coco.py')


@pytest.fixture(scope='module')
def cfg():
    return Config.fromfile(CONFIG)


def test_weight_decay_groups_are_the_official_ones(cfg):
    model = build(cfg.model)
    optim_cfg = dict(cfg.optim_wrapper, type='PerParamClipOptimWrapper')
    optim_cfg.pop('loss_scale')
    wrapper = build_optim_wrapper(model, optim_cfg)
    decay = {id(p): g['weight_decay'] > 0 for g in wrapper.optimizer.param_groups
             for p in g['params']}
    names = {n: p for n, p in model.named_parameters() if p.requires_grad}
    # official get_params_groups: no decay for biases and every 1-D tensor, decay otherwise
    wrong = [n for n, p in names.items()
             if decay[id(p)] == (n.endswith('.bias') or p.ndim == 1)]
    assert not wrong, wrong
    assert decay[id(names['backbone.pos_embed'])] and decay[id(names['backbone.cls_token'])]


def official_clip_gradients(params, clip):
    for p in params:
        norm = p.grad.norm(2)
        coef = clip / (norm + 1e-6)
        if coef < 1:
            p.grad.mul_(coef)


def test_gradients_are_clipped_per_parameter():
    torch.manual_seed(0)
    a, b = nn.Parameter(torch.randn(5, 4)), nn.Parameter(torch.randn(3))
    wrapper = PerParamClipOptimWrapper(optimizer=torch.optim.SGD([a, b], lr=0.),
                                       clip_grad=dict(max_norm=3.0))
    grads = [torch.randn(5, 4) * 10, torch.randn(3) * 0.1]     # norms ~45 and ~0.2
    twins = [nn.Parameter(a.detach().clone()), nn.Parameter(b.detach().clone())]
    for p, t, g in zip((a, b), twins, grads):
        p.grad, t.grad = g.clone(), g.clone()
    wrapper.step()
    official_clip_gradients(twins, 3.0)
    assert torch.allclose(a.grad, twins[0].grad) and torch.allclose(b.grad, twins[1].grad)
    assert a.grad.norm() == pytest.approx(3.0, rel=1e-5)
    assert torch.equal(b.grad, grads[1])   # the small gradient is untouched (global clipping
    # of the norm over both tensors would have scaled it by ~3 / 45)


def test_crops_are_torchvision_bilinear_resized_crops(cfg):
    crop_cfg = cfg.train_dataloader.dataset.pipeline[1]
    assert crop_cfg.interpolation == 'bilinear' and crop_cfg.backend == 'pillow'
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    t = GTSAMultiCrop(num_global=2, num_local=2, global_size=64, local_size=32, rotate=False)
    np.random.seed(3)
    out = t(dict(img=img))
    for crop, box in zip(out['img'], out['gtsa_crop_boxes']):
        x1, y1, x2, y2 = (int(v) for v in box)
        side = crop.shape[0]
        want = np.asarray(TF.resized_crop(Image.fromarray(img), y1, x1, y2 - y1, x2 - x1,
                                          [side, side], TF.InterpolationMode.BILINEAR))
        assert np.array_equal(crop, want)


def test_overlap_thresholds_are_whole_pixels_as_the_official_rule():
    t = GTSAMultiCrop(num_global=2, num_local=2)
    for area in (150., 224. * 224, 333. * 517):
        local = int(area * 0.01)                 # official min_intersection
        assert t.overlap_thresholds(area) == (2 * local, local)   # globals: doubled


def test_dataloader_drops_the_last_partial_batch(cfg):
    assert cfg.train_dataloader.drop_last is True


def test_conv_block_layer_norm_is_torch_default_layer_norm():
    torch.manual_seed(0)
    block = GTSAConvBlock(8, 8, residual=False)
    x = torch.randn(2, 8, 5, 5) * 1e-3       # small activations: eps matters
    y = block.conv(x)
    want = F.gelu(nn.LayerNorm(8, elementwise_affine=False)(y.permute(0, 2, 3, 1))
                  .permute(0, 3, 1, 2))
    assert torch.allclose(block(x), want, atol=1e-6)


def official_interpolate_pos_encoding(pos_embed, patch_size, w, h):
    """DINO's ViT.interpolate_pos_encoding for an input of shape (B, 3, w, h)."""
    n = pos_embed.shape[1] - 1
    cls, grid = pos_embed[:, 0], pos_embed[:, 1:]
    dim = pos_embed.shape[-1]
    w0, h0 = w // patch_size + 0.1, h // patch_size + 0.1
    grid = F.interpolate(
        grid.reshape(1, int(math.sqrt(n)), int(math.sqrt(n)), dim).permute(0, 3, 1, 2),
        scale_factor=(w0 / math.sqrt(n), h0 / math.sqrt(n)), mode='bicubic')
    grid = grid.permute(0, 2, 3, 1).view(1, -1, dim)
    return torch.cat((cls.unsqueeze(0), grid), dim=1)


def test_local_crops_get_dinos_position_embedding():
    kw = dict(arch='deit-small', patch_size=16, img_size=224, out_type='raw',
              final_norm=False)
    ours = MODELS.build(dict(type='DINOVisionTransformer', **kw))
    stock = MODELS.build(dict(type='VisionTransformer', **kw))
    ours.eval(), stock.eval()     # (VisionTransformer.train returns None)
    nn.init.normal_(ours.pos_embed)
    stock.load_state_dict(ours.state_dict())
    x = torch.randn(1, 3, 96, 96)
    tokens, grid = ours.embed(x)
    patches, _ = ours.patch_embed(x)
    want = torch.cat((ours.cls_token, patches), dim=1) + official_interpolate_pos_encoding(
        ours.pos_embed, 16, 96, 96)
    assert grid == (6, 6) and torch.allclose(tokens, want, atol=1e-6)
    # mmpretrain's size-driven resize gives other tokens at 96 px, the same at 224 px
    assert (ours(x)[0] - stock(x)[0]).abs().max() > 1e-3
    full = torch.randn(1, 3, 224, 224)
    assert torch.equal(ours(full)[0], stock(full)[0])

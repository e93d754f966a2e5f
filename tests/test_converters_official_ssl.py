"""Official LEWEL (ResNet-50) and GTSA (ViT-S/16) checkpoints in: the converters are tested on
state dicts with the official key names, shapes and nesting (LEWEL's backbone is torchvision's
ResNet layout; GTSA's encoders are DINO-layout ViTs inside its GTSA module), every tensor must
land where it belongs (strict loads into our configs' backbones), and the converted backbone's
forward must equal a forward with the official tensors placed by hand."""
import os.path as osp
import sys

import pytest
import torch
import torch.nn.functional as F
import torchvision
from mmengine.config import Config
from mmengine.registry import init_default_scope

from qbheat_mm.converters import convert_gtsa, convert_lewel

from .conftest import REPO
from .test_tools.helpers import run


def strip(state, prefix='backbone.'):
    return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}


def lewel_checkpoint():
    """LEWEL's training checkpoint: online and target ResNet-50 backbones plus heads."""
    torch.manual_seed(0)
    online = torchvision.models.resnet50()
    online.fc = torch.nn.Identity()          # the official encoder has no fc
    target = torchvision.models.resnet50()
    target.fc = torch.nn.Identity()
    for module in (online, target):          # non-trivial BN statistics
        for m in module.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
                m.weight.data.uniform_(0.5, 1.5)
    state = {f'module.online_net.backbone.{k}': v for k, v in online.state_dict().items()}
    state.update({f'module.target_net.backbone.{k}': v for k, v in target.state_dict().items()})
    state['module.online_net.projector.mlp.0.weight'] = torch.randn(4096, 2048)
    state['module.predictor.mlp.0.weight'] = torch.randn(4096, 256)
    return {'epoch': 100, 'state_dict': state, 'optimizer': {}}, online.eval(), target.eval()


def test_lewel_checkpoint_loads_strictly_and_computes_as_the_official_resnet(tmp_path):
    checkpoint, online, target = lewel_checkpoint()
    converted = convert_lewel(checkpoint)
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    backbone = MODELS.build(dict(type='ResNet', depth=50, out_indices=(3, )))
    backbone.eval()                       # (mmpretrain's ResNet.train returns None)
    backbone.load_state_dict(strip(converted), strict=True)
    x = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        ours = backbone(x)[0]
        ref = torch.nn.Sequential(*list(online.children())[:-2])(x)   # up to layer4
    torch.testing.assert_close(ours, ref, rtol=1e-5, atol=1e-5)
    # the EMA target on request; the official bare extraction; a foreign file
    assert torch.equal(convert_lewel(checkpoint, 'target')['backbone.conv1.weight'],
                       target.conv1.weight)
    bare = {k: v for k, v in online.state_dict().items()}
    assert set(convert_lewel(bare)) == set(converted)
    with pytest.raises(KeyError, match='no online ResNet-50 backbone'):
        convert_lewel({'state_dict': {'module.encoder.x': torch.ones(1)}})
    # the tool, into the frozen RetinaNet and LEWEL's linear probe (init_cfg, prefix)
    src, dst = tmp_path / 'lewel_b_100ep.pth.tar', tmp_path / 'lewel.pth'
    torch.save(checkpoint, src)
    out = run([sys.executable, 'tools/model_converters/ssl_official_to_mm.py', 'lewel',
               str(src), str(dst)])
    assert f'lewel (online): {len(converted)} tensors' in out.stdout
    saved = torch.load(dst, weights_only=True)
    from mmdet.registry import MODELS as DET
    init_default_scope('mmdet')
    cfg = Config.fromfile(osp.join(REPO, 'configs/mmdet/retinanet_resnet50_fpn_frozen_1x_coco.py'))
    cfg.model.backbone.init_cfg.checkpoint = str(dst)
    detector = DET.build(cfg.model)
    detector.init_weights()
    state = detector.backbone.state_dict()
    assert set(state) == set(strip(saved['state_dict']))
    assert all(torch.equal(state[k], v) for k, v in strip(saved['state_dict']).items())
    from qbheat_mm.engine.hooks import NormalizationCheckHook
    assert NormalizationCheckHook().check(cfg) is True


DIM, DEPTH, HEADS, GRID = 384, 12, 6, 14


def dino_vit_state(seed: int):
    """A ViT-S/16 state dict in DINO's (and GTSA's) layout, random values."""
    g = torch.Generator().manual_seed(seed)

    def r(*shape, scale=0.05):
        return torch.randn(*shape, generator=g) * scale
    state = {'cls_token': r(1, 1, DIM), 'pos_embed': r(1, 1 + GRID * GRID, DIM),
             'patch_embed.proj.weight': r(DIM, 3, 16, 16), 'patch_embed.proj.bias': r(DIM)}
    for i in range(DEPTH):
        b = f'blocks.{i}.'
        state.update({b + 'norm1.weight': 1 + r(DIM), b + 'norm1.bias': r(DIM),
                      b + 'attn.qkv.weight': r(3 * DIM, DIM), b + 'attn.qkv.bias': r(3 * DIM),
                      b + 'attn.proj.weight': r(DIM, DIM), b + 'attn.proj.bias': r(DIM),
                      b + 'norm2.weight': 1 + r(DIM), b + 'norm2.bias': r(DIM),
                      b + 'mlp.fc1.weight': r(4 * DIM, DIM), b + 'mlp.fc1.bias': r(4 * DIM),
                      b + 'mlp.fc2.weight': r(DIM, 4 * DIM), b + 'mlp.fc2.bias': r(DIM)})
    state.update({'norm.weight': 1 + r(DIM), 'norm.bias': r(DIM)})
    return state


def dino_forward(state, x):
    """DINO's ViT forward written out with the official tensors (all tokens, final norm)."""
    tokens = F.conv2d(x, state['patch_embed.proj.weight'], state['patch_embed.proj.bias'],
                      stride=16).flatten(2).transpose(1, 2)
    tokens = torch.cat((state['cls_token'].expand(len(x), -1, -1), tokens), 1)
    tokens = tokens + state['pos_embed']
    for i in range(DEPTH):
        p = f'blocks.{i}.'
        h = F.layer_norm(tokens, (DIM, ), state[p + 'norm1.weight'], state[p + 'norm1.bias'], 1e-6)
        qkv = F.linear(h, state[p + 'attn.qkv.weight'], state[p + 'attn.qkv.bias'])
        q, k, v = qkv.reshape(len(x), -1, 3, HEADS, DIM // HEADS).permute(2, 0, 3, 1, 4)
        attn = ((q @ k.transpose(-2, -1)) * (DIM // HEADS) ** -0.5).softmax(-1)
        h = (attn @ v).transpose(1, 2).reshape(len(x), -1, DIM)
        tokens = tokens + F.linear(h, state[p + 'attn.proj.weight'], state[p + 'attn.proj.bias'])
        h = F.layer_norm(tokens, (DIM, ), state[p + 'norm2.weight'], state[p + 'norm2.bias'], 1e-6)
        h = F.linear(F.gelu(F.linear(h, state[p + 'mlp.fc1.weight'], state[p + 'mlp.fc1.bias'])),
                     state[p + 'mlp.fc2.weight'], state[p + 'mlp.fc2.bias'])
        tokens = tokens + h
    return F.layer_norm(tokens, (DIM, ), state['norm.weight'], state['norm.bias'], 1e-6)


def test_gtsa_checkpoint_loads_strictly_and_computes_as_dino_vit(tmp_path):
    student, teacher = dino_vit_state(0), dino_vit_state(1)
    model = {f'base_encoder.{k}': v for k, v in student.items()}
    model.update({f'momentum_encoder.{k}': v for k, v in teacher.items()})
    model['base_projector.proj.weight'] = torch.randn(768, 384, 1, 1)
    model['rot_predictor.0.weight'] = torch.randn(768, 384)
    checkpoint = {'model': model, 'epoch': 99, 'args': None}
    converted = convert_gtsa(checkpoint)
    assert len(converted) == len(teacher)
    from mmpretrain.registry import MODELS
    init_default_scope('mmpretrain')
    x = torch.randn(2, 3, 224, 224)
    for kind in ('VisionTransformer', 'DINOVisionTransformer'):
        vit = MODELS.build(dict(type=kind, arch='deit-small', patch_size=16, img_size=224,
                                out_type='raw', final_norm=True))
        vit.eval()
        vit.load_state_dict(strip(converted), strict=True)
        with torch.no_grad():
            torch.testing.assert_close(vit(x)[0], dino_forward(teacher, x), rtol=1e-4,
                                       atol=1e-4)
    assert torch.equal(convert_gtsa(checkpoint, 'base')['backbone.ln1.weight'],
                       student['norm.weight'])
    assert set(convert_gtsa(teacher)) == set(converted)          # a bare DINO-layout ViT
    with pytest.raises(KeyError, match='no rule'):
        convert_gtsa(dict(teacher, **{'head.weight': torch.ones(1)}))
    with pytest.raises(KeyError, match='no momentum_encoder'):
        convert_gtsa({'model': {f'base_encoder.{k}': v for k, v in student.items()}})
    # the tool, into the GTSA Mask R-CNN config (mmpretrain.VisionTransformer, featmap)
    src, dst = tmp_path / 'gtsa_checkpoint-99.pth', tmp_path / 'gtsa.pth'
    torch.save(checkpoint, src)
    out = run([sys.executable, 'tools/model_converters/ssl_official_to_mm.py', 'gtsa',
               str(src), str(dst)])
    assert f'gtsa (momentum): {len(teacher)} tensors' in out.stdout
    from mmdet.registry import MODELS as DET
    init_default_scope('mmdet')
    cfg = Config.fromfile(osp.join(REPO,
                                   'configs/gtsa/mmdet/mask-rcnn_gtsa-vit-small-p16_fpn_1x_coco.py'))
    cfg.model.backbone.init_cfg.checkpoint = str(dst)
    detector = DET.build(cfg.model)
    detector.init_weights()
    state = detector.backbone.state_dict()
    saved = strip(torch.load(dst, weights_only=True)['state_dict'])
    # the detection backbone has no final norm (final_norm=False, as the official downstream
    # ViT): every other tensor lands in it
    assert set(state) == set(saved) - {'ln1.weight', 'ln1.bias'}
    assert all(torch.equal(state[k], saved[k]) for k in state)

import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from .conftest import REPO

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
# (configs/mmseg: tests/test_segmentation.py)
MMPRETRAIN = [c for c in CONFIGS
              if '_base_' not in c and '/mmdet/' not in c and '/mmseg/' not in c]
MMDET = [c for c in CONFIGS if '/mmdet/' in c]


def test_configs_found():
    assert len(MMPRETRAIN) >= 5 and len(MMDET) >= 1


@pytest.mark.parametrize('path', MMPRETRAIN, ids=lambda p: osp.relpath(p, REPO))
def test_mmpretrain_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.custom_imports.imports == ['qbheat_mm']
    init_default_scope(cfg.default_scope)
    from mmpretrain.registry import MODELS
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize('path', MMDET, ids=lambda p: osp.relpath(p, REPO))
def test_mmdet_config_builds_and_runs(path):
    cfg = Config.fromfile(path)  # inherits a stock mmdet:: base
    assert cfg.default_scope == 'mmdet'
    assert 'qbheat_mm' in cfg.custom_imports.imports
    init_default_scope('mmdet')
    from mmdet.registry import MODELS
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model).eval()
    backbone = type(model.backbone).__name__
    assert backbone in ('MobileFormer', 'ResNet', 'FrozenStagesConvNeXt', 'VisionTransformer')
    # frozen: no backbone parameter can change (requires_grad off, or lr 0 and no decay)
    custom = cfg.optim_wrapper.get('paramwise_cfg', {}).get('custom_keys', {})
    no_update = custom.get('backbone', {})
    frozen = (not any(p.requires_grad for p in model.backbone.parameters())
              or (no_update.get('lr_mult') == 0 and no_update.get('decay_mult') == 0))
    assert frozen == ('frozen' in osp.basename(path)), path
    with torch.no_grad():
        feats = model.extract_feat(torch.randn(1, 3, 128, 160))
    neck = cfg.model.neck
    if backbone == 'VisionTransformer':      # ViTFeaturePyramid: strides 4..32 into its FPN
        neck, first_stride = neck.fpn, 4
    else:
        # MobileFormer's out_indices count the stem stage (1 = stride 4), ResNet's do not (0)
        offset = 1 if backbone == 'MobileFormer' else 2
        first_stride = 2 ** (cfg.model.backbone.out_indices[neck.get('start_level', 0)]
                             + offset)
    assert len(feats) == neck.num_outs
    assert feats[0].shape[-2:] == (128 // first_stride, 160 // first_stride)

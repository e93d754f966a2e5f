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


def test_light_voc_head_passes_signal_at_init():
    """The 64-wide RetinaHead of the VOC study config keeps unit-scale features alive through
    its 4 stacked convs at init (group norm); the same head without the norm, as the stock
    std-0.01 init leaves it, shrinks them ~1000-fold, which is why it hardly learned."""
    path = osp.join(REPO, 'configs', 'mmdet',
                    'retinanet_mobileformer-26m_fpn64_frozen_2x_voc-256px.py')
    cfg = Config.fromfile(path)
    init_default_scope('mmdet')
    from mmdet.registry import MODELS

    def stacked_std(head_cfg) -> float:
        torch.manual_seed(0)
        head = MODELS.build(head_cfg)
        head.init_weights()
        x = torch.randn(2, head_cfg.in_channels, 16, 16)
        with torch.no_grad():
            for conv in head.cls_convs:
                x = conv(x)
        return x.std().item()

    with_norm = stacked_std(cfg.model.bbox_head)
    plain = cfg.model.bbox_head.copy()
    plain.norm_cfg = None
    without = stacked_std(plain)
    assert cfg.model.bbox_head.norm_cfg.type == 'GN'
    assert with_norm > 0.3, with_norm
    assert without < 0.01, without

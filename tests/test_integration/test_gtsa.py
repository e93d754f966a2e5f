"""GTSA end to end on coco128 images: the demo config trains (with the correspondence loss
switched on mid-run), resumes exactly, its weight-decay schedule rises 0.04 -> 0.4 on the
decayed group only, and its checkpoint goes through extract_backbone.py into a frozen
RetinaNet evaluated with tools/test.py."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from ..conftest import REPO, shared_data
from ..test_tools.helpers import (assert_resume_exact, demo_variant, load_tool,
                                  logged_scalars)
from .test_transfer import assert_pretrained_backbone_detects

DEMO = osp.join(REPO, 'configs', 'gtsa', 'gtsa_mobileformer-26m_demo.py')
AMP_FREE = '''
optim_wrapper = dict(optimizer=dict(lr=1e-3))
model = dict(pc_warmup_iters=3)
'''
# deterministic crops (whole image, no rotation, no colour) so that a resumed run sees the same
# data: two 64 px globals and one 32 px local of the same region
FIXED_CROPS = AMP_FREE + '''
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 96), backend='pillow'),
    dict(type='GTSAMultiCrop', num_global=2, num_local=1, global_size=64, local_size=32,
         global_scale=(1.0, 1.0), local_scale=(1.0, 1.0), ratio=(1.0, 1.0), rotate=False),
    dict(type='PackInputs', algorithm_keys=['gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot'])]))
'''


@pytest.fixture(scope='module')
def gtsa_run(tmp_path_factory):
    """The demo config (its own crops: 2 x 128 + 4 x 64 px, rotations) for 6 iterations."""
    images = osp.join(shared_data('coco128'), 'train2017')
    tmp = tmp_path_factory.mktemp('gtsa')
    work_dir = str(tmp / 'work')
    load_tool('train.py').main([demo_variant(tmp, DEMO, images, 6, extra=AMP_FREE),
                                '--work-dir', work_dir])
    return work_dir


def test_demo_config_trains_on_coco128_images(gtsa_run):
    rows = logged_scalars(gtsa_run)
    assert [r['iter'] for r in rows] == list(range(1, 7))
    for r in rows:
        assert all(torch.isfinite(torch.tensor(r[k])) for k in ('loss_crop', 'loss_pc',
                                                                   'loss_rot'))
        assert r['loss'] == pytest.approx(r['loss_crop'] + r['loss_pc'] + r['loss_rot'],
                                          abs=1e-4)
    # iterations 1-3 have iter 0..2 < 3: no correspondence loss; afterwards lambda_pc = 0.5
    assert all(r['loss_pc'] == 0 for r in rows[:3])
    assert all(-0.5 <= r['loss_pc'] < 0 for r in rows[3:])
    state = torch.load(osp.join(gtsa_run, 'iter_6.pth'), weights_only=False)['state_dict']
    assert any(k.startswith('target_net.module.1.') for k in state)      # EMA projector
    assert not any(k.startswith('target_net.module.2') for k in state)   # no EMA predictor


def test_resume_reproduces_the_uninterrupted_losses(tmp_path):
    images = osp.join(shared_data('coco128'), 'train2017')
    assert_resume_exact(tmp_path, demo_variant(tmp_path, DEMO, images, 6, 'run', 3,
                                               FIXED_CROPS))


def test_empty_image_folder_is_refused_with_the_fix(tmp_path):
    empty = tmp_path / 'images'
    empty.mkdir()
    (empty / 'notes.txt').write_text('no images here')
    with pytest.raises(FileNotFoundError, match='holds no images.*data_root='):
        load_tool('train.py').main([demo_variant(tmp_path, DEMO, str(empty), 2),
                                    '--work-dir', str(tmp_path / 'w')])
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_tool('train.py').main([demo_variant(tmp_path, DEMO, str(tmp_path / 'nope'), 2),
                                    '--work-dir', str(tmp_path / 'w')])


def test_weight_decay_rises_to_ten_times_on_the_decayed_group_only():
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    from mmpretrain.registry import MODELS, PARAM_SCHEDULERS
    cfg = Config.fromfile(DEMO)
    MessageHub.get_current_instance().update_info('max_iters', cfg.max_iters)
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    wd_cfg = [s for s in cfg.param_scheduler if s.get('param_name') == 'weight_decay'][0]
    scheduler = PARAM_SCHEDULERS.build(dict(wd_cfg, optimizer=wrapper))
    start = [g['weight_decay'] for g in wrapper.param_groups]
    assert set(start) == {0.0, 0.04}
    for _ in range(cfg.max_iters):
        scheduler.step()
    end = [g['weight_decay'] for g in wrapper.param_groups]
    for a, b in zip(start, end):
        assert b == pytest.approx(10 * a, rel=1e-3)   # 0.04 -> 0.4, 0 stays 0
    names = {id(p): n for n, p in model.named_parameters()}
    zero = [names[id(p)] for g in wrapper.param_groups if g['weight_decay'] == 0
            for p in g['params']]
    assert any('norm' in n or 'bn' in n for n in zero) and any(n.endswith('bias') for n in zero)
    assert 'backbone.tokens.weight' in zero


def test_gtsa_backbone_in_frozen_retinanet_on_coco128(tmp_path, gtsa_run):
    base = osp.join(REPO, 'configs', 'gtsa', 'mmdet',
                    'retinanet_gtsa-mobileformer-26m_fpn_frozen_1x_coco.py')
    assert_pretrained_backbone_detects(tmp_path, osp.join(gtsa_run, 'iter_6.pth'), base)

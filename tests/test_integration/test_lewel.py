"""LEWEL end to end on real data: the demo config trains on imagenette-mini, resumes exactly, and
its checkpoint goes through extract_backbone.py into a frozen RetinaNet evaluated on coco128."""
import os.path as osp

import pytest
import torch

from ..conftest import REPO, shared_data
from ..test_tools.helpers import assert_resume_exact, demo_variant, load_tool, logged_losses, run
from .test_transfer import assert_pretrained_backbone_detects

DEMO = osp.join(REPO, 'configs', 'lewel', 'lewel-b_mobileformer-26m_demo.py')
# deterministic views at 128 px (a 4x4 map), so that a resumed run sees exactly the same data
FIXED_VIEWS = '''
view1 = [dict(type='Resize', scale=(128, 128), backend='pillow')]
view2 = view1 + [dict(type='RandomFlip', prob=1.0)]
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1], transforms=[view1, view2]),
    dict(type='PackInputs')]))
'''


def demo_config(tmp_path, data, iters, name='lewel', ckpt_interval=0, extra=''):
    return demo_variant(tmp_path, DEMO, data, iters, name, ckpt_interval, extra)


@pytest.fixture(scope='module')
def lewel_checkpoint(tmp_path_factory):
    """The demo config (its own augmentations, 224 crops) for 10 iterations on imagenette-mini."""
    data = shared_data('imagenette-mini')
    tmp = tmp_path_factory.mktemp('lewel')
    work_dir = str(tmp / 'work')
    load_tool('train.py').main([demo_config(tmp, data, 10), '--work-dir', work_dir])
    return work_dir


def test_demo_config_loss_decreases_on_imagenette(lewel_checkpoint):
    losses = logged_losses(lewel_checkpoint)
    assert sorted(losses) == list(range(1, 11))
    assert all(torch.isfinite(torch.tensor(v)) for v in losses.values())
    first, last = sum(losses[i] for i in (1, 2, 3)) / 3, sum(losses[i] for i in (8, 9, 10)) / 3
    assert last < first, losses
    state = torch.load(osp.join(lewel_checkpoint, 'iter_10.pth'), weights_only=False)
    assert any(k.startswith('target_net.module.1.aligned_projector') for k in state['state_dict'])


def test_resume_reproduces_the_uninterrupted_losses(tmp_path):
    """Resume from the iteration-3 checkpoint of a 6-iteration run (the target's momentum
    schedule depends on max_iters, so the interrupted run must be that same run)."""
    data = shared_data('imagenette-mini')
    assert_resume_exact(tmp_path, demo_config(tmp_path, data, 6, 'run', ckpt_interval=3,
                                              extra=FIXED_VIEWS))


def test_lewel_backbone_in_frozen_retinanet_on_coco128(tmp_path, lewel_checkpoint):
    base = osp.join(REPO, 'configs', 'lewel', 'mmdet',
                    'retinanet_lewel-b-mobileformer-26m_fpn_frozen_1x_coco.py')
    assert_pretrained_backbone_detects(tmp_path, osp.join(lewel_checkpoint, 'iter_10.pth'), base)


def test_dist_train_two_gloo_processes(tmp_path):
    """tools/dist_train.sh runs the LEWEL demo config unchanged in 2 processes (gloo on CPU)."""
    data = shared_data('imagenette-mini')
    cfg = demo_config(tmp_path, data, 2, 'dist', extra=FIXED_VIEWS)
    work_dir = str(tmp_path / 'dist')
    proc = run(['bash', 'tools/dist_train.sh', cfg, '2', '--work-dir', work_dir])
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log and 'GPU number: 2' in log, log[-3000:]
    state = torch.load(osp.join(work_dir, 'iter_2.pth'), weights_only=False)['state_dict']
    assert int(state['target_net.steps']) == 2

"""BagSSL end to end on imagenette-mini: the demo config trains with a falling loss and resumes
exactly; the bag-of-patches probe config trains on a BagSSL checkpoint with a frozen backbone."""
import os.path as osp
import re
import sys

import pytest
import torch

from ..conftest import REPO, shared_data
from ..test_tools.helpers import assert_resume_exact, demo_variant, load_tool, logged_losses, run
from .test_transfer import backbone_state

DEMO = osp.join(REPO, 'configs', 'bagssl', 'bagssl-p64n8_mobileformer-26m_demo.py')
# four deterministic 64 px views (resize, flips) so that a resumed run sees the same data
FIXED_VIEWS = '''
views = [[dict(type='Resize', scale=(64, 64), backend='pillow')],
         [dict(type='Resize', scale=(64, 64), backend='pillow'),
          dict(type='RandomFlip', prob=1.0)],
         [dict(type='CenterCrop', crop_size=64)],
         [dict(type='CenterCrop', crop_size=128), dict(type='Resize', scale=(64, 64))]]
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1, 1, 1], transforms=views),
    dict(type='PackInputs')]))
'''


@pytest.fixture(scope='module')
def bagssl_run(tmp_path_factory):
    """The demo config (8 augmented 64 px patches per image) for 8 iterations, batch 8."""
    data = shared_data('imagenette-mini')
    tmp = tmp_path_factory.mktemp('bagssl')
    work_dir = str(tmp / 'work')
    load_tool('train.py').main([demo_variant(tmp, DEMO, data, 8, batch=8), '--work-dir',
                                work_dir])
    return work_dir


def test_demo_config_loss_decreases_on_imagenette(bagssl_run):
    losses = logged_losses(bagssl_run)
    assert sorted(losses) == list(range(1, 9))
    first, last = sum(losses[i] for i in (1, 2, 3)) / 3, sum(losses[i] for i in (6, 7, 8)) / 3
    assert last < first, losses


def test_resume_reproduces_the_uninterrupted_losses(tmp_path):
    data = shared_data('imagenette-mini')
    assert_resume_exact(tmp_path, demo_variant(tmp_path, DEMO, data, 6, 'run', 3, FIXED_VIEWS))


def test_bag_of_patches_probe_on_a_bagssl_checkpoint(tmp_path, bagssl_run):
    data = shared_data('imagenette-mini')
    ckpt = osp.join(bagssl_run, 'iter_8.pth')
    base = osp.join(REPO, 'configs', 'bagssl', 'benchmarks',
                    'mobileformer-294m_bag-of-patches-linear-probe_8xb128-coslr-90e_in1k.py')
    cfg = str(tmp_path / 'probe.py')
    with open(cfg, 'w') as f:
        f.write(f'''
_base_ = {base!r}
num_classes = 10
model = dict(backbone=dict(arch='26m', init_cfg=dict(checkpoint={ckpt!r})),
             neck=dict(input_features=96), head=dict(num_classes=10, in_channels=96))
data_preprocessor = dict(num_classes=10)
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root={data!r}, indices=32))
val_dataloader = dict(batch_size=25, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root={data!r}, indices=50))
test_dataloader = val_dataloader
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=4, val_interval=4)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=4))
log_processor = dict(by_epoch=False, window_size=1)
''')
    work_dir = str(tmp_path / 'probe')
    proc = run([sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir], timeout=900)
    assert re.search(r'accuracy/top1: \d+\.\d+', proc.stdout + proc.stderr)
    before, after = backbone_state(ckpt), backbone_state(osp.join(work_dir, 'iter_4.pth'))
    assert before and all(torch.equal(after[k], v) for k, v in before.items())

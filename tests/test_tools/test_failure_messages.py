"""What a user reads after something goes wrong: one line that names the fix, printed last
(after any traceback), for every failure a user can cause."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch

from ..conftest import REPO, shared_data
from .helpers import free_port, run, tiny_config, write_images
from .test_resume_safety import cut_short

RETINANET_26M = osp.join(REPO, 'configs', 'mmdet', 'retinanet_mobileformer-26m_fpn_frozen_1x_coco.py')
RETINANET_294M = osp.join(REPO, 'configs', 'mmdet', 'retinanet_mobileformer-294m_fpn_frozen_1x_coco.py')


def last_line(proc) -> str:
    lines = [line for line in (proc.stderr or '').strip().splitlines() if line.strip()]
    return lines[-1] if lines else ''


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    return write_images(str(tmp_path_factory.mktemp('failure_data')), count=8)


def test_resume_path_to_a_cut_checkpoint(tmp_path, images):
    cfg = tiny_config(tmp_path, images, max_iters=2)
    work = tmp_path / 'work'
    run([sys.executable, 'tools/train.py', cfg, '--work-dir', str(work)])
    cut_short(str(work / 'iter_2.pth'))
    proc = run([sys.executable, 'tools/train.py', cfg, '--work-dir', str(work), '--resume',
                str(work / 'iter_2.pth')], check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    line = last_line(proc)
    assert 'is not a complete checkpoint' in line and '--resume without a path' in line


def test_resume_with_nothing_to_resume_is_repeated_below_the_config_dump(tmp_path, images):
    cfg = tiny_config(tmp_path, images, max_iters=1)
    proc = run([sys.executable, 'tools/train.py', cfg, '--work-dir', str(tmp_path / 'typo'),
                '--resume'])
    text = proc.stdout
    dump = text.index('Config:')
    repeated = text.index('WARNING --resume: nothing to resume')
    assert repeated > dump and 'check --work-dir' in text[repeated:].splitlines()[0]


def test_interrupted_run_names_its_last_checkpoint_and_the_resume_command(tmp_path, images):
    cfg = tiny_config(tmp_path, images, max_iters=100000, ckpt_interval=2)
    work = tmp_path / 'work'
    env = dict(os.environ, PYTHONPATH=REPO, PORT=str(free_port()))
    # a suite started in the background ('make test &', a CI runner without job control)
    # inherits SIGINT ignored, and an exec keeps an ignored signal ignored: the run must get
    # the default disposition back, as a terminal's Ctrl-C would find it
    proc = subprocess.Popen([sys.executable, 'tools/train.py', cfg, '--work-dir', str(work)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    started = time.time()
    deadline = started + 600                           # generous: the suite may share the CPUs
    while not (work / 'iter_4.pth').exists() and time.time() < deadline \
            and proc.poll() is None:
        time.sleep(0.2)
    if not (work / 'iter_4.pth').exists():             # say why instead of interrupting start-up
        proc.kill()
        _, err = proc.communicate(timeout=120)
        raise AssertionError(f'no iter_4.pth after {time.time() - started:.0f} s '
                             f'(exit {proc.returncode}); stderr:\n{err[-3000:]}')
    os.killpg(proc.pid, signal.SIGINT)                 # Ctrl-C reaches the whole group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-3000:]
    line = [x for x in err.strip().splitlines() if x.strip()][-1]
    assert line.startswith('interrupted: the last checkpoint is ') and 'iter_' in line, err[-3000:]
    assert line.endswith(f'python tools/train.py {cfg} --work-dir {work} --resume'), line


def test_unreadable_image_names_the_three_remedies(tmp_path):
    data = write_images(str(tmp_path / 'data'), count=3)
    with open(osp.join(data, 'train', 'a', 'broken.png'), 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\nnot really a png')
    cfg = tiny_config(tmp_path, data, max_iters=50)
    proc = run([sys.executable, 'tools/train.py', cfg, '--work-dir', str(tmp_path / 'w')],
               check=False)
    assert proc.returncode == 1 and 'Traceback' in proc.stderr
    line = last_line(proc)
    assert 'an unreadable image stopped training' in line and 'broken.png' in line
    for remedy in ('tools/misc/verify_dataset.py', '--verify-data', '--skip-unreadable'):
        assert remedy in line


def test_wrong_arch_checkpoint_names_the_recorded_arch_and_the_config(tmp_path):
    coco = shared_data('coco128')
    from qbheat_mm.models import MobileFormer
    backbone = MobileFormer(arch='26m', out_indices=(1, 2, 3, 4))
    path = tmp_path / 'mf26m.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in backbone.state_dict().items()},
                'meta': dict(arch='26m')}, path)
    proc = run([sys.executable, 'tools/train.py', RETINANET_294M, '--coco-data', coco,
                '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                f'model.backbone.init_cfg.checkpoint={path}'], check=False)
    assert proc.returncode != 0
    line = last_line(proc)
    assert "records arch '26m'" in line and "model.backbone.arch='26m'" in line
    assert 'configs/mmdet/retinanet_mobileformer-26m_' in line and len(line) < 4000


def test_nonexistent_coco_data_says_it_does_not_exist(tmp_path):
    proc = run([sys.executable, 'tools/train.py', RETINANET_26M, '--coco-data',
                str(tmp_path / 'nowhere')], check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    line = last_line(proc)
    assert 'does not exist' in line and "pass the folder that holds annotations/" in line


def test_detection_data_root_error_mentions_coco_data(tmp_path):
    proc = run([sys.executable, 'tools/train.py', RETINANET_26M, '--cfg-options',
                f'train_dataloader.dataset.data_root={tmp_path}/nothing/'], check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    assert '--coco-data DIR' in last_line(proc)


def test_empty_detection_result_during_validation_is_explained(tmp_path):
    coco = shared_data('coco128')
    proc = run([sys.executable, 'tools/train.py', RETINANET_26M, '--coco-data', coco,
                '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                'model.backbone.init_cfg=None', 'train_cfg.max_epochs=1',
                'train_dataloader.dataset.indices=2', 'train_dataloader.batch_size=2',
                'val_dataloader.dataset.indices=2', 'model.test_cfg.score_thr=1.01'])
    text = proc.stdout + proc.stderr
    assert 'pkg_resources' not in text          # setuptools' deprecation warning is filtered
    assert 'empty validation result' in text
    assert 'model.test_cfg.score_thr=0.0' in text.split('empty validation result', 1)[1]


def test_training_says_where_the_checkpoint_went(tmp_path, images):
    cfg = tiny_config(tmp_path, images, max_iters=1)
    proc = run([sys.executable, 'tools/train.py', cfg, '--work-dir', str(tmp_path / 'w')])
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith(f'checkpoint: {tmp_path / "w" / "iter_1.pth"}')

"""Helpers for running the command-line tools on tiny data."""
import glob
import importlib.util
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import numpy as np
from PIL import Image

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(relpath: str):
    """Import tools/<relpath> as a module (tools/ is not a package)."""
    path = osp.join(REPO, 'tools', relpath)
    spec = importlib.util.spec_from_file_location(osp.splitext(osp.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_images(folder: str, count: int = 8, size: int = 160, seed: int = 0) -> str:
    """Smooth random RGB PNGs in folder/train/a/ (an ImageNet-style tree)."""
    rng = np.random.default_rng(seed)
    out = osp.join(folder, 'train', 'a')
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        small = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
        Image.fromarray(small).resize((size, size), Image.BICUBIC).save(
            osp.join(out, f'{i}.png'))
    return folder


def write_config(tmp_path, name: str, text: str) -> str:
    """Write ``text`` to ``tmp_path/name.py`` and return the path."""
    path = osp.join(str(tmp_path), f'{name}.py')
    with open(path, 'w') as f:
        f.write(text)
    return path


def tiny_config(tmp_path, data_root: str, max_iters: int, ckpt_interval: int = 0,
                name: str = 'tiny', extra: str = '') -> str:
    """A deterministic (augmentation-free, seeded) QB-Heat config on the demo model."""
    base = osp.join(REPO, 'configs', 'qbheat', 'mobileformer-26m_demo.py')
    text = f'''
_base_ = {base!r}
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), backend='pillow'),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(data_root={data_root!r}, pipeline=train_pipeline))
train_cfg = dict(max_iters={max_iters})
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2),
    dict(type='CosineAnnealingLR', T_max=6, by_epoch=False, begin=2, end=8, eta_min=1e-5),
]
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval={ckpt_interval or max_iters}))
custom_hooks = [dict(type='InvalidLossStopHook'),
                dict(type='QBHeatVisualizationHook', interval=1000, num_images=2)]
log_processor = dict(window_size=1)
randomness = dict(seed=0, deterministic=True)
''' + extra
    return write_config(tmp_path, name, text)


def demo_variant(tmp_path, base: str, data_root: str, iters: int, name: str = 'demo',
                 ckpt_interval: int = 0, extra: str = '', batch: int = 4) -> str:
    """A seeded, small-batch, constant-lr, iteration-based variant of a demo config."""
    text = f'''
_base_ = {base!r}
train_dataloader = dict(batch_size={batch}, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root={data_root!r}))
train_cfg = dict(max_iters={iters})
param_scheduler = []
optim_wrapper = dict(optimizer=dict(lr=0.05))
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval={ckpt_interval or iters}))
log_processor = dict(window_size=1)
randomness = dict(seed=0, deterministic=True)
''' + extra
    return write_config(tmp_path, name, text)


def assert_resume_exact(tmp_path, config: str, iters: int = 6) -> None:
    """Train ``config`` (checkpoint every iters // 2), resume a second run from the middle
    checkpoint, and require the same losses and final state dict as the uninterrupted run."""
    import torch
    train = load_tool('train.py')
    full_dir, resumed_dir = osp.join(str(tmp_path), 'full'), osp.join(str(tmp_path), 'resumed')
    train.main([config, '--work-dir', full_dir])
    middle = iters // 2
    train.main([config, '--work-dir', resumed_dir, '--resume',
                osp.join(full_dir, f'iter_{middle}.pth')])
    full, resumed = logged_losses(full_dir), logged_losses(resumed_dir)
    assert sorted(full) == list(range(1, iters + 1))
    assert sorted(resumed) == list(range(middle + 1, iters + 1))
    for it in resumed:
        assert abs(resumed[it] - full[it]) <= 1e-5 * max(1., abs(full[it])), (it, full, resumed)
    a = torch.load(osp.join(full_dir, f'iter_{iters}.pth'), weights_only=False)
    b = torch.load(osp.join(resumed_dir, f'iter_{iters}.pth'), weights_only=False)
    assert b['meta']['iter'] == iters
    for key, value in a['state_dict'].items():
        assert torch.allclose(value.float(), b['state_dict'][key].float(), atol=1e-5), key


def logged_scalars(work_dir: str) -> list:
    """The training records (those with a ``loss``) of every run's scalars.json in
    ``work_dir``, in order."""
    rows = []
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            rows += [r for r in map(json.loads, f) if 'loss' in r]
    return rows


def logged_losses(work_dir: str) -> dict:
    """{iteration: loss} from every run's scalars.json in ``work_dir``."""
    return {r['iter']: r['loss'] for r in logged_scalars(work_dir)}


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run(args, timeout: int = 600, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run a command with this interpreter's folder first on PATH; unless ``check=False``,
    fail with its output when it fails."""
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()),
               PATH=osp.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
               PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    proc = subprocess.run(args, cwd=kwargs.pop('cwd', REPO), env=env, capture_output=True,
                          text=True, timeout=timeout, **kwargs)
    assert not check or proc.returncode == 0, (
        f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    return proc

"""GPU day one: the plugin's CUDA paths in a few minutes, one markdown report.

    python tools/misc/gpu_check.py --out OUT_DIR            # on a CUDA machine (AMP)
    python tools/misc/gpu_check.py --dry-run --out OUT_DIR  # the same checks, tiny, on the CPU

Run by ``tools/gpu_check.sh`` after it has installed the carried wheels and built mmcv's ops.
Checks (each one row of the report; any failure makes the exit status 1):

1. every pretraining algorithm (QB-Heat, LEWEL_B with EMAN, LEWEL_M, BagSSL, VICReg, GTSA,
   stock MoCo-v2) for ``--iters`` iterations on the device with AMP: every loss finite and,
   where there is one, the momentum target's weights moved;
2. device decoding (nvJPEG through ``decode_jpeg(device='cuda')``) against the CPU decode of
   the same JPEG files, raw and after the crop/resize/flip the training path applies: mean
   absolute pixel difference at most ``--decode-tol`` (0-255 scale);
3. pretraining throughput of QB-Heat against MoCo-v2 on MF-294M at 256 px with AMP, at the
   largest batch (from ``--batch``, halved on out-of-memory) that fits, images/s;
4. the frozen RetinaNet (configs/mmdet, MF-26M) forward on the device, with the backbone's
   weights bitwise unchanged by a training step.
"""
import argparse
import os
import os.path as osp
import statistics
import sys
import tempfile
import time
import traceback
from typing import Callable, List

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'benchmarks'))
sys.path.insert(0, REPO)

import torch  # noqa: E402

ROWS: List[list] = []


def check(name: str, fn: Callable[[], str]) -> bool:
    """Run one check; a row (name, PASS/FAIL, detail, seconds) for the report."""
    start = time.time()
    try:
        detail, ok = fn(), True
    except Exception as exc:  # noqa: BLE001  (every failure becomes a report row)
        detail, ok = f'{type(exc).__name__}: {exc}', False
        traceback.print_exc()
    ROWS.append([name, 'PASS' if ok else 'FAIL', detail, f'{time.time() - start:.1f}'])
    print(f'[gpu_check] {name}: {"PASS" if ok else "FAIL"} ({detail})', flush=True)
    return ok


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


# ------------------------------------------------------------------ 1. algorithms
def algorithm_model(method: str, arch: str, device: str, size: int):
    from common import build, lewel_cfg
    from pretrain_throughput import make
    if method == 'lewel_b_eman':
        model = build(dict(lewel_cfg(arch), eman=True), device)
    elif method == 'lewel_m':
        cfg = lewel_cfg(arch)
        model = build(dict(cfg, type='LEWELM', queue_len=64, eman=True,
                           feat_dim=cfg['neck']['out_channels'], base_momentum=0.001,
                           end_momentum=0.001,
                           head=dict(type='LEWELMHead', temperature=0.2, alpha=0.5)), device)
    else:
        return make(method, arch, device, fused=device.startswith('cuda'), size=size)
    params = [p for p in model.parameters() if p.requires_grad]
    return model, torch.optim.AdamW(params, lr=1e-4)


def target_of(model):
    for name in ('target_net', 'momentum_encoder', 'encoder_k'):   # ours, mmpretrain's
        if hasattr(model, name):
            return getattr(model, name)
    return None


def run_algorithms(args) -> str:
    from common import train_step
    from pretrain_throughput import batch
    amp = args.device.startswith('cuda')
    done = []
    for method in ('qbheat', 'lewel_b_eman', 'lewel_m', 'bagssl', 'vicreg', 'gtsa', 'mocov2'):
        torch.manual_seed(0)
        model, optim = algorithm_model(method, args.arch, args.device, args.size)
        kind = 'lewel' if method.startswith('lewel') else method
        inputs, samples = batch(kind, args.size, args.algo_batch, args.device)
        target = target_of(model)
        before = ([p.detach().clone() for p in target.parameters()] if target is not None
                  else None)
        scaler = torch.amp.GradScaler('cuda') if amp else None
        losses = [train_step(model, optim, inputs, samples, scaler) for _ in range(args.iters)]
        bad = [x for x in losses if not torch.isfinite(torch.tensor(x))]
        if bad:
            raise RuntimeError(f'{method}: non-finite loss {bad[0]} in {args.iters} iterations')
        if before is not None:
            moved = any(not torch.equal(a, b.detach()) for a, b in
                        zip(before, target.parameters()))
            if not moved:
                raise RuntimeError(f'{method}: the momentum target did not move in '
                                   f'{args.iters} iterations')
        done.append(f'{method} {losses[0]:.3g}->{losses[-1]:.3g}' +
                    (' (target moved)' if before is not None else ''))
        del model, optim
    return f'{args.iters} it, AMP {amp}: ' + ', '.join(done)


# ------------------------------------------------------------------ 2. device decode
def run_device_decode(args) -> str:
    import numpy as np
    from mmpretrain.structures import DataSample
    from PIL import Image

    from qbheat_mm.models.utils.device_decode_preprocessor import (crop_resize_flip,
                                                                   decode_images)
    rng = np.random.default_rng(0)
    data = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(8):
            small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
            path = osp.join(tmp, f'{i}.jpg')
            Image.fromarray(small).resize((320 + 16 * i, 240), Image.BICUBIC).save(path,
                                                                                  quality=90)
            with open(path, 'rb') as f:
                data.append(torch.frombuffer(bytearray(f.read()), dtype=torch.uint8))
    device = torch.device(args.device)
    on_device = decode_images(data, [1] * len(data), device)
    on_cpu = decode_images(data, [1] * len(data), torch.device('cpu'))
    raw = max((a.cpu().float() - b.float()).abs().mean().item()
              for a, b in zip(on_device, on_cpu))
    samples = []
    for i in range(len(data)):
        s = DataSample()
        s.set_field((10, 20, 200, 210), 'crop_box', field_type='metainfo')
        s.set_field((args.size, args.size), 'crop_size', field_type='metainfo')
        s.set_field(bool(i % 2), 'flip', field_type='metainfo')
        samples.append(s)
    cropped = (crop_resize_flip(on_device, samples).cpu() -
               crop_resize_flip(on_cpu, samples)).abs().mean().item()
    worst = max(raw, cropped)
    if worst > args.decode_tol:
        raise RuntimeError(f'mean |device - CPU| = {worst:.3f} > {args.decode_tol} (raw '
                           f'{raw:.3f}, cropped {cropped:.3f})')
    return (f'{len(data)} JPEGs on {device.type}: mean |device - CPU| raw {raw:.3f}, after '
            f'crop/resize/flip {cropped:.3f} (tolerance {args.decode_tol})')


# ------------------------------------------------------------------ 3. throughput
def images_per_s(method: str, args, n: int) -> float:
    from common import train_step
    from pretrain_throughput import batch, make
    model, optim = make(method, args.tp_arch, args.device, fused=args.device.startswith('cuda'),
                        size=args.tp_size)
    inputs, samples = batch(method, args.tp_size, n, args.device)
    scaler = torch.amp.GradScaler('cuda') if args.device.startswith('cuda') else None
    train_step(model, optim, inputs, samples, scaler)
    rates = []
    for _ in range(args.tp_reps):
        sync(args.device)
        start = time.perf_counter()
        for _ in range(args.tp_steps):
            train_step(model, optim, inputs, samples, scaler)
        sync(args.device)
        rates.append(n * args.tp_steps / (time.perf_counter() - start))
    return statistics.median(rates)


def run_throughput(args) -> str:
    out = []
    for method in ('qbheat', 'mocov2'):
        n = args.batch
        while True:
            try:
                rate = images_per_s(method, args, n)
                break
            except torch.cuda.OutOfMemoryError:
                torch.cuda.empty_cache()
                if n == 1:
                    raise
                n //= 2
        out.append((method, n, rate))
        if args.device.startswith('cuda'):
            torch.cuda.empty_cache()
    ratio = out[0][2] / out[1][2]
    return (f'{args.tp_arch} at {args.tp_size} px' +
            (' with AMP' if args.device.startswith('cuda') else '') + ': ' +
            ', '.join(f'{m} {r:.0f} img/s (batch {n})' for m, n, r in out) +
            f'; QB-Heat / MoCo-v2 = {ratio:.2f}x')


# ------------------------------------------------------------------ 4. frozen detector
def run_frozen_retinanet(args) -> str:
    from mmdet.structures import DetDataSample
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.structures import InstanceData

    import qbheat_mm  # noqa: F401
    from mmdet.registry import MODELS
    init_default_scope('mmdet')
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'mmdet',
                                   'retinanet_mobileformer-26m_fpn_frozen_1x_coco.py'))
    cfg.model.backbone.init_cfg = None    # random weights: the check is the CUDA path
    model = MODELS.build(cfg.model).to(args.device)
    model.init_weights()
    model.train()
    before = {k: v.detach().clone() for k, v in model.backbone.state_dict().items()}
    size = args.det_size
    inputs = torch.rand(2, 3, size, size, device=args.device) * 255
    samples = []
    for _ in range(2):
        s = DetDataSample(metainfo=dict(img_shape=(size, size), pad_shape=(size, size),
                                        ori_shape=(size, size), scale_factor=(1., 1.)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[8., 8., size / 2, size / 2]], device=args.device),
            labels=torch.tensor([1], device=args.device))
        samples.append(s)
    data = model.data_preprocessor(dict(inputs=list(inputs), data_samples=samples), True)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.SGD(params, lr=0.01)
    losses = model(**data, mode='loss')
    loss = sum(v.sum() if isinstance(v, torch.Tensor) else sum(v) for k, v in losses.items()
               if 'loss' in k)
    optim.zero_grad()
    loss.backward()
    optim.step()
    after = model.backbone.state_dict()
    changed = [k for k, v in before.items() if not torch.equal(v, after[k])]
    if changed:
        raise RuntimeError(f'the frozen backbone changed in a training step: {changed[:3]}')
    model.eval()
    with torch.no_grad():
        sync(args.device)
        start = time.perf_counter()
        feats = model.extract_feat(data['inputs'])
        sync(args.device)
    return (f'loss {float(loss):.3f}, backbone bitwise unchanged, {len(feats)} FPN levels, '
            f'forward {1000 * (time.perf_counter() - start):.1f} ms for 2 x {size} px')


# ------------------------------------------------------------------ main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--dry-run', action='store_true',
                        help='the same checks on the CPU with tiny settings (seconds)')
    parser.add_argument('--out', default=os.environ.get('OUT', 'work_dirs/gpu_check'),
                        help='folder of the report (default $OUT)')
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--batch', type=int, default=256, help='throughput: first batch tried')
    parser.add_argument('--decode-tol', type=float, default=2.0)
    parser.add_argument('--setup-times', default=None,
                        help='a file of "step<TAB>seconds" lines written by gpu_check.sh')
    args = parser.parse_args(argv)
    if args.dry_run:
        args.device, args.arch, args.size, args.algo_batch = 'cpu', '26m', 64, 4
        args.iters = min(args.iters, 2)
        args.tp_arch, args.tp_size, args.tp_reps, args.tp_steps = '26m', 64, 1, 1
        args.batch, args.det_size = min(args.batch, 2), 64
    else:
        if not torch.cuda.is_available():
            raise SystemExit('gpu_check: torch sees no CUDA device; run with --dry-run on a CPU')
        args.device, args.arch, args.size, args.algo_batch = 'cuda', '26m', 128, 32
        args.tp_arch, args.tp_size, args.tp_reps, args.tp_steps = '294m', 256, 3, 5
        args.det_size = 256
    torch.manual_seed(0)
    start = time.time()
    check('1. every pretraining algorithm, AMP', lambda: run_algorithms(args))
    check('2. device decode vs CPU decode', lambda: run_device_decode(args))
    check('3. QB-Heat vs MoCo-v2 throughput', lambda: run_throughput(args))
    check('4. frozen RetinaNet forward', lambda: run_frozen_retinanet(args))
    failed = [r for r in ROWS if r[1] == 'FAIL']
    if args.device == 'cuda':
        where = f'{torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}'
    else:
        where = 'CPU (--dry-run: tiny settings, no AMP)'
    lines = [f'# GPU check: {"all passed" if not failed else f"{len(failed)} FAILED"}', '',
             f'{time.strftime("%Y-%m-%d %H:%M")}, {where}, torch {torch.__version__}, '
             f'checks took {time.time() - start:.0f} s', '']
    if args.setup_times and osp.isfile(args.setup_times):
        lines += ['| set-up step | seconds |', '|---|---|']
        with open(args.setup_times) as f:
            lines += [f'| {a} | {b} |' for a, b in (line.rstrip('\n').split('\t')
                                                    for line in f if '\t' in line)]
        lines.append('')
    lines += ['| check | result | detail | seconds |', '|---|---|---|---|']
    lines += ['| ' + ' | '.join(r) + ' |' for r in ROWS]
    os.makedirs(args.out, exist_ok=True)
    path = osp.join(args.out, 'gpu_check.md')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    print(f'[gpu_check] report written to {path}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

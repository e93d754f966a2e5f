"""Whole-process cost of QB-Heat's logged heat diagnostics on ResNet-50 (C = 2048).

    python benchmarks/heat_diagnostics_cost.py [--iters 12] [--batch 8] [--repeats 3]

Runs ``tools/train.py configs/qbheat/resnet50_in1k.py`` for ``--iters`` iterations with the
logger every 10 (so the diagnostics run on iteration 10 only), three ways, interleaved
``--repeats`` times under ``/usr/bin/time -v``: diagnostics off, the default (estimates above
512 channels), and exact (two 2048 x 2048 eigen-decompositions). Prints the medians of the
wall time and their ratios to the run without diagnostics; writes the markdown table to
benchmarks/results/heat_diagnostics_cost.md. BN instead of SyncBN (one process).
"""
import argparse
import os
import os.path as osp
import re
import statistics
import subprocess
import sys
import tempfile

from common import markdown_table

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA = osp.join(REPO, '..', 'shared', 'data', 'imagenette-mini')
VARIANTS = {
    'diagnostics off': ['model.neck.log_diagnostics=False'],
    'estimates (default)': [],
    'exact': ['model.neck.diagnostics_exact=True'],
}


def wall_seconds(text: str) -> float:
    """``Elapsed (wall clock) time (h:mm:ss or m:ss): 0:12.34`` of GNU time -v."""
    clock = re.search(r'Elapsed \(wall clock\) time.*?: ([\d:.]+)', text).group(1)
    seconds = 0.
    for part in clock.split(':'):
        seconds = seconds * 60 + float(part)
    return seconds


def iteration_config(folder: str, iters: int) -> str:
    """An iteration-based variant of configs/qbheat/resnet50_in1k.py (logger every 10)."""
    path = osp.join(folder, 'resnet50_iters.py')
    with open(path, 'w') as f:
        f.write(f"""_base_ = {osp.join(REPO, 'configs', 'qbheat', 'resnet50_in1k.py')!r}
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters={iters})
param_scheduler = []
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(by_epoch=False, interval=100000))
log_processor = dict(by_epoch=False)
""")
    return path


def run_once(variant: str, args, config: str, work: str) -> float:
    options = [f'train_dataloader.dataset.data_root={args.data}',
               f'train_dataloader.batch_size={args.batch}', 'train_dataloader.num_workers=2',
               'model.backbone.norm_cfg.type=BN', 'model.neck.diagnostics_interval=10'
               ] + VARIANTS[variant]
    cmd = ['/usr/bin/time', '-v', sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
           '--work-dir', work, '--cfg-options', *options]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    logged = 'heat_rho_x' in proc.stdout + proc.stderr
    if proc.returncode != 0 or (logged and variant == 'diagnostics off'):
        raise SystemExit(f'{variant} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}')
    if variant != 'diagnostics off' and not logged:
        raise SystemExit(f'{variant}: no heat_rho_x in the log (diagnostics did not run)')
    return wall_seconds(proc.stderr)


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--data', default=DATA, help='an image folder with train/')
    parser.add_argument('--iters', type=int, default=12)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--out', default=osp.join(REPO, 'benchmarks', 'results',
                                                  'heat_diagnostics_cost.md'))
    args = parser.parse_args(argv)
    times = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        config = iteration_config(tmp, args.iters)
        for r in range(args.repeats):
            for variant in VARIANTS:
                seconds = run_once(variant, args, config, osp.join(tmp, f'{r}_{len(times[variant])}'))
                times[variant].append(seconds)
                print(f'[{r + 1}/{args.repeats}] {variant}: {seconds:.1f} s', flush=True)
    base = statistics.median(times['diagnostics off'])
    rows = [[v, ', '.join(f'{t:.1f}' for t in ts), f'{statistics.median(ts):.1f}',
             f'{statistics.median(ts) / base:.2f}x'] for v, ts in times.items()]
    table = markdown_table(['heat diagnostics', 'wall s per run', 'median s', 'vs off'], rows)
    text = (f'# Heat diagnostics cost (ResNet-50, C = 2048)\n\n{args.iters} iterations, batch '
            f'{args.batch}, logger every 10, {os.cpu_count()} cores, `/usr/bin/time -v`, '
            f'interleaved {args.repeats}x.\n\n{table}\n')
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as f:
        f.write(text)
    print(text)
    return text


if __name__ == '__main__':
    main()

"""QB-Heat's design choices, one config each, at an equal compute budget over several seeds.

    python benchmarks/qbheat_ablations.py                       # every ablation config, 3 seeds
    python benchmarks/qbheat_ablations.py --configs configs/qbheat/ablations/*mode-* \
        --budget-s 300 --seeds 0 1 2 3 4

Every config of ``configs/qbheat/ablations/`` (one choice changed over the MF-26M demo model)
pretrains on the train split of ``--data`` (imagenette-mini by default, labels unused) with the
demo's recipe (AdamW lr 1e-3, betas 0.9/0.95, wd 0.05, 20-step warm-up, random-resized crops
of ``--size`` px + flips, batch ``--batch``) until its training steps have used ``--budget-s``
CPU seconds (data loading excluded). Scores on the val split: the held-out masked-quarter
reconstruction loss (the model's own decoder and target, always on the three masked quarters;
with norm_pix off the target is raw pixels, so that row's loss is on another scale), kNN top-1
(k = 20) and linear-probe top-1 on the GAP of the frozen backbone's last map. Each (config,
seed) is appended to ``--records`` as it finishes and skipped by a rerun; a markdown table
(mean +- std over seeds) and a PNG chart are written at the end.
"""
import argparse
import glob
import os.path as osp

from common import REPO, build, markdown_table, report

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402

from study import (Records, budgeted_training, cached_eval_batches, extract,  # noqa: E402
                   fmt, knn_top1, linear_top1, loader, run_all, summarise)

DATA = osp.join(osp.dirname(REPO), 'shared', 'data', 'imagenette-mini')
CONFIGS = osp.join(REPO, 'configs', 'qbheat', 'ablations', 'ablation_*.py')
REFERENCE = 'mode-block_norm-none'
METRICS = {'heldout_loss': 'held-out masked-quarter loss', 'knn': 'kNN top-1 (%)',
           'linear': 'linear top-1 (%)'}


def ablation_name(path: str) -> str:
    return osp.splitext(osp.basename(path))[0].replace('ablation_', '')


def train_pipeline(size: int) -> list:
    return [dict(type='LoadImageFromFile'),
            dict(type='RandomResizedCrop', scale=size, crop_ratio_range=(0.2, 1.0),
                 backend='pillow', interpolation='bicubic'),
            dict(type='RandomFlip', prob=0.5), dict(type='PackInputs')]


@torch.no_grad()
def heldout_loss(model, batches) -> float:
    """Mean reconstruction loss of the val centre crops on the three masked quarters."""
    region = model.head.loss_region
    model.head.loss_region = 'masked'
    try:
        losses = [float(model.loss(model.data_preprocessor(b, False)['inputs'])['loss'])
                  for b in batches]
    finally:
        model.head.loss_region = region
    return sum(losses) / len(losses)


def run_one(path: str, seed: int, args, evals) -> dict:
    torch.manual_seed(seed)
    cfg = Config.fromfile(path)
    model_cfg = cfg.model.to_dict()
    # as mmengine's runner does: the config's top-level data_preprocessor (normalisation)
    model_cfg.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    model = build(model_cfg)
    optim = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95),
                              weight_decay=0.05)
    data = loader(args.data, 'train', train_pipeline(args.size), args.batch, True, seed,
                  args.workers)
    name = ablation_name(path)
    steps, wall, _ = budgeted_training(model, optim, data, args.budget_s, f'{name} seed {seed}',
                                    warmup_steps=20, max_steps=args.steps)
    model.eval()

    def preprocess(batch):
        return model.data_preprocessor(batch, False)
    tr_x, _, tr_y = extract(model.backbone, preprocess, evals['train'])
    va_x, _, va_y = extract(model.backbone, preprocess, evals['val'])
    return dict(config=name, seed=seed, steps=steps, wall_s=round(wall, 1),
                heldout_loss=heldout_loss(model, evals['val']),
                knn=knn_top1(tr_x, tr_y, va_x, va_y), linear=linear_top1(tr_x, tr_y, va_x,
                                                                          va_y))


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--configs', nargs='+', default=sorted(glob.glob(CONFIGS)))
    parser.add_argument('--data', default=DATA, help='an ImageNet-layout folder')
    parser.add_argument('--size', type=int, default=192,
                        help='crop side (the demo: 192, a 3x3 visible map at stride 32)')
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--budget-s', type=float, default=60.,
                        help='CPU seconds of training steps per config and seed')
    parser.add_argument('--steps', type=int, default=None,
                        help='train every config for exactly this many steps instead of '
                        '--budget-s CPU seconds (the same work whatever the machine load)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--threads', type=int, default=None, help='torch threads')
    parser.add_argument('--workers', type=int, default=1, help='data-loading processes')
    parser.add_argument('--records', default='benchmarks/results/qbheat_ablations.jsonl')
    parser.add_argument('--out', default='benchmarks/results/qbheat_ablations.md')
    parser.add_argument('--png', default=None, help='chart (default: --out with .png)')
    args = parser.parse_args(argv)
    if not args.configs:
        raise SystemExit(f'no ablation config matched; pass --configs (default {CONFIGS})')
    if not osp.isdir(args.data):
        raise SystemExit(f'no dataset at {args.data}; pass --data (ImageNet layout)')
    if args.threads:
        torch.set_num_threads(args.threads)
    from fixed_work_study import portable
    settings = dict(data=portable(args.data), size=args.size, batch=args.batch,
                    budget_s=args.budget_s)
    if args.steps:
        settings = dict(settings, budget_s=None, steps=args.steps)
    records = Records(args.records, settings)
    evals = cached_eval_batches(args.data, args.size, args.workers)
    paths = {ablation_name(p): p for p in args.configs}
    run_all([('config', name, s) for name in paths for s in args.seeds], records,
            lambda name, seed: run_one(paths[name], seed, args, evals), digits=3)
    names = [ablation_name(p) for p in args.configs]
    rows = [r for r in records.rows if r['config'] in names and r['seed'] in args.seeds]
    summary = summarise(rows, 'config', names, ['steps'] + list(METRICS))
    ref = summary.get(REFERENCE)
    table_rows = []
    for name, s in summary.items():
        delta = (f"{s['knn'][0] - ref['knn'][0]:+.1f} / {s['linear'][0] - ref['linear'][0]:+.1f}"
                 if ref and name != REFERENCE else '-')
        table_rows.append([name, int(s['seeds'][0]), f"{s['steps'][0]:.0f}",
                           fmt(s['heldout_loss'], 3), fmt(s['knn']), fmt(s['linear']), delta])
    table = markdown_table(['config', 'seeds', 'steps in budget', METRICS['heldout_loss'],
                            METRICS['knn'], METRICS['linear'],
                            f'kNN / linear vs {REFERENCE}'], table_rows)
    if args.out:
        from plots import grouped_bars
        grouped_bars(list(summary), {METRICS[m]: [summary[n][m] for n in summary]
                                     for m in ('knn', 'linear')},
                     args.png or osp.splitext(args.out)[0] + '.png', 'top-1 (%)',
                     f'QB-Heat ablations, MF-26M, {args.budget_s:.0f} CPU s each, mean ± std '
                     f'over {len(args.seeds)} seeds')
    return report('QB-Heat ablations at an equal compute budget (MF-26M, '
                  f'{osp.basename(osp.normpath(args.data))})', table,
                  dict(settings, seeds=args.seeds, threads=torch.get_num_threads()), args.out,
                  'cpu')


if __name__ == '__main__':
    main()

"""Every method of the plugin on one backbone, one dataset, one compute budget, four probes.

    python benchmarks/ssl_study.py                                   # MF-26M, 3 seeds, 120 s
    python benchmarks/ssl_study.py --budget-s 600 --threads 1 --seeds 0 1 2 3 4
    python benchmarks/ssl_study.py --data ../shared/data/clothing-mini --records r.jsonl
    python benchmarks/ssl_study.py --preset imagenette --threads 1       # the Imagenette study

Each method pretrains the backbone (MF-26M by default, ``--arch``) on the train split of an
ImageNet-layout folder (labels unused, except by ``supervised``) with its own demo-size recipe
until its training steps have used ``--budget-s`` seconds of CPU time (data loading excluded;
CPU time, so another job on the machine does not shorten a run; ``--threads 1`` makes one CPU
second one core-second). Methods:

- qbheat: QB-Heat (visible quarter, heat extrapolation, transformer decoder), AdamW 1e-3
- lewel: LEWEL_B (BYOL target as the CPU demo, asymmetric BYOL views), LARS 0.3
- gtsa: GTSA (2 crops of the image size + 4 of half the side, quarter turns, stride-16 dense
  losses, correspondence loss after 20 steps), AdamW 1e-3, wd 0.04
- bagssl: BagSSL (8 augmented patches of half the side, intra-instance VICReg), LARS 0.3
- vicreg: VICReg (two BYOL-style views), LARS 0.3
- mocov2: stock mmpretrain MoCo-v2 (queue 1024), SGD 0.03 x batch / 256
- none: the random initialisation (no training)
- supervised: cross-entropy on the train labels (random-resized crops), AdamW 1e-3: a ceiling

All with a 20-step linear warm-up, batch ``--batch``, crops of ``--size`` px. The frozen
backbones are scored on the val split with four probes on the GAP of the last map of
centre crops (train split as the labelled set): kNN top-1 (k = 20, cosine, weighted votes),
kNN on bag-of-patches features (the mean embedding of ``--bag`` grid patches of half the
side, BagSSL's evaluation), a linear probe (logistic regression on standardised features) and
the QB-Heat paper's non-linear probe (one transformer block, TransformerProbeNeck, on the last
map, then a linear classifier). Each (method, seed) is appended to ``--records`` as it
finishes and skipped by a rerun; the table (mean +- std over seeds) and a PNG chart are
written at the end.

Learning curves: during each run the kNN top-1 on the same centre crops (k = 20) is measured
at ``--curve-points`` evenly spaced points of the budget (the last is the end of the run), so
every record holds a (training CPU s, steps, kNN top-1) curve; a second PNG draws kNN top-1
against training compute, one line per method with a band over the seeds.

``--preset imagenette``: the whole of Imagenette (9,469 train / 3,925 val images, scored on
all val images), 1,800 CPU s per run (15 x the imagenette-mini study), kNN at 6 points,
records in benchmarks/results/ssl_study_imagenette.jsonl.
"""
import argparse
import os
import os.path as osp
import time

from common import (REPO, bagssl_cfg, build, gtsa_cfg, lars, lewel_cfg, markdown_table,
                    mocov2_cfg, qbheat_cfg, report, supervised_cfg, vicreg_cfg)

import torch  # noqa: E402

from study import (Records, budgeted_training, cached_eval_batches, extract,  # noqa: E402
                   fmt, knn_top1, linear_top1, load_partial, loader, mean_std, run_all,
                   save_partial, summarise, transformer_probe_top1)

DATA = osp.join(osp.dirname(REPO), 'shared', 'data', 'imagenette-mini')
METHODS = ('qbheat', 'lewel', 'gtsa', 'bagssl', 'vicreg', 'mocov2', 'none', 'supervised')
PRESETS = {
    'imagenette': dict(data=osp.join(osp.dirname(REPO), 'shared', 'data', 'imagenette'),
                       budget_s=1800., curve_points=6,
                       records='benchmarks/results/ssl_study_imagenette.jsonl',
                       out='benchmarks/results/ssl_study_imagenette.md'),
}
PROBES = {'knn': 'kNN top-1', 'bag_knn': 'bag-of-patches kNN top-1', 'linear': 'linear top-1',
          'transformer': 'transformer-probe top-1'}


def pipelines(size: int) -> dict:
    """Train pipelines of every method at crop side ``size``."""
    crop = dict(type='RandomResizedCrop', scale=size, crop_ratio_range=(0.2, 1.0),
                backend='pillow', interpolation='bicubic')
    flip = dict(type='RandomFlip', prob=0.5)
    jitter = dict(type='RandomApply', prob=0.8, transforms=[dict(
        type='HueSafeColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)])
    grey = dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
                channel_weights=(0.114, 0.587, 0.2989))

    def blur(prob):
        return dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf',
                    prob=prob)
    moco_view = [crop, jitter, grey, blur(0.5), flip]
    # the BYOL pair of LEWEL and VICReg (blur 1.0 / 0.1, solarize 0 / 0.2)
    byol_views = [[dict(crop, interpolation='bilinear'), flip, jitter, grey, blur(b),
                   dict(type='Solarize', thr=128, prob=s)] for b, s in ((1.0, 0.0), (0.1, 0.2))]
    bag_view = [dict(type='RandomPatchCrop', patch_size=size // 2), flip, jitter, grey,
                blur(0.5), dict(type='Solarize', thr=128, prob=0.1)]
    gtsa_colour = [dict(type='RandomApply', prob=0.8, transforms=[dict(
        type='HueSafeColorJitter', brightness=0.8, contrast=0.8, saturation=0.8, hue=0.2)]),
        grey, blur(0.2)]
    load, pack = dict(type='LoadImageFromFile'), dict(type='PackInputs')
    fixed = [dict(type='ResizeEdge', scale=size, edge='short', backend='pillow',
                  interpolation='bicubic'), dict(type='CenterCrop', crop_size=size)]
    return {
        'qbheat': [load, crop, flip, pack],
        'supervised': [load, crop, flip, pack],
        'lewel': [load, dict(type='MultiView', num_views=[1, 1], transforms=byol_views), pack],
        'vicreg': [load, dict(type='MultiView', num_views=[1, 1], transforms=byol_views),
                   pack],
        'mocov2': [load, dict(type='MultiView', num_views=2, transforms=[moco_view]), pack],
        'bagssl': [load, *fixed, dict(type='MultiView', num_views=8, transforms=[bag_view]),
                   pack],
        'gtsa': [load, dict(type='GTSAMultiCrop', num_global=2, num_local=4, global_size=size,
                            local_size=size // 2, global_transforms=gtsa_colour),
                 dict(type='PackInputs',
                      algorithm_keys=['gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot'])],
    }


def model_and_optimizer(method: str, args, num_classes: int):
    cfg = {'qbheat': lambda: qbheat_cfg(args.arch), 'lewel': lambda: lewel_cfg(args.arch),
           'gtsa': lambda: gtsa_cfg(args.arch, args.size),
           'bagssl': lambda: bagssl_cfg(args.arch), 'vicreg': lambda: vicreg_cfg(args.arch),
           'mocov2': lambda: mocov2_cfg(args.arch, 1024), 'none': lambda: qbheat_cfg(args.arch),
           'supervised': lambda: supervised_cfg(args.arch, num_classes)}[method]()
    model = build(cfg)
    if method in ('lewel', 'bagssl', 'vicreg'):     # the CPU demos' LARS recipe
        optim = lars(model, lr=0.3)
    elif method == 'mocov2':                         # stock recipe, lr scaled to the batch
        optim = torch.optim.SGD(model.parameters(), lr=0.03 * args.batch / 256, momentum=0.9,
                                weight_decay=1e-4)
    elif method == 'gtsa':
        optim = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.04)
    else:                                            # qbheat, supervised (none: unused)
        optim = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95),
                                  weight_decay=0.05)
    return model, optim


def run_one(method: str, seed: int, args, evals) -> dict:
    torch.manual_seed(seed)
    from mmengine.logging import MessageHub
    MessageHub.get_current_instance().update_info('iter', -1)   # GTSA's warm-up counter
    num_classes = evals['num_classes']
    model, optim = model_and_optimizer(method, args, num_classes)
    steps, wall, used = 0, 0., 0.

    def preprocess(batch):
        return model.data_preprocessor(batch, False)

    def knn_now() -> float:
        tr_x, _, tr_y = extract(model.backbone, preprocess, evals['train'], maps=False)
        va_x, _, va_y = extract(model.backbone, preprocess, evals['val'], maps=False)
        return knn_top1(tr_x, tr_y, va_x, va_y)

    curve = []
    # a unit interrupted after a curve point resumes from it (model, optimiser, RNG, curve)
    partial = osp.join(osp.splitext(args.records)[0] + '_partial', f'{method}_seed{seed}.pth')
    curve, start = load_partial(partial, model, optim)
    if start[0]:
        print(f'  {method} seed {seed}: resuming from {partial} at step {start[0]} '
              f'({start[2]:.0f} CPU s)', flush=True)
    clock = [time.time() - start[1]]

    def mark(used_s: float, at_step: int) -> None:
        curve.append([round(used_s, 1), at_step, knn_now()])
        print(f'  {method} seed {seed}: kNN top-1 {curve[-1][2]:.1f} after {used_s:.0f} CPU s '
              f'({at_step} steps)', flush=True)
        save_partial(partial, model, optim, curve, [at_step, time.time() - clock[0], used_s])

    if method != 'none':
        data = loader(args.data, 'train', pipelines(args.size)[method], args.batch, True,
                      seed + start[0], args.workers)
        limit = args.steps or args.budget_s
        marks = [limit * i / args.curve_points for i in range(1, args.curve_points)]
        steps, wall, used = budgeted_training(model, optim, data, args.budget_s, f'{method} seed '
                                        f'{seed}', warmup_steps=20, marks=marks, on_mark=mark,
                                        start=start, max_steps=args.steps)
    model.eval()
    if args.save_backbones:
        os.makedirs(args.save_backbones, exist_ok=True)
        torch.save({'state_dict': {f'backbone.{k}': v for k, v in
                                   model.backbone.state_dict().items()},
                    'meta': dict(method=method, seed=seed, steps=steps, arch=args.arch)},
                   osp.join(args.save_backbones, f'{method}_seed{seed}.pth'))
    tr_x, tr_maps, tr_y = extract(model.backbone, preprocess, evals['train'])
    va_x, va_maps, va_y = extract(model.backbone, preprocess, evals['val'])
    bag_tr, _, _ = extract(model.backbone, preprocess, evals['train'], args.bag)
    bag_va, _, _ = extract(model.backbone, preprocess, evals['val'], args.bag)
    knn = knn_top1(tr_x, tr_y, va_x, va_y)
    if method != 'none':
        curve.append([round(used, 1), steps, knn])
    row = dict(method=method, seed=seed, steps=steps, images=steps * args.batch,
                epochs=round(steps * args.batch / len(tr_y), 2), wall_s=round(wall, 1),
                curve=curve, knn=knn,
                bag_knn=knn_top1(bag_tr, tr_y, bag_va, va_y),
                linear=linear_top1(tr_x, tr_y, va_x, va_y),
                transformer=transformer_probe_top1(tr_maps, tr_y, va_maps, va_y,
                                                   epochs=args.probe_epochs))
    if osp.isfile(partial):
        os.remove(partial)
    return row


def main(argv=None) -> str:
    import sys
    argv = sys.argv[1:] if argv is None else list(argv)
    if 'imagenette-256' in argv or '--preset=imagenette-256' in argv:
        # QB-Heat's own geometry, equal work per method: benchmarks/fixed_work_study.py
        from fixed_work_study import main as fixed_work_main
        return fixed_work_main(argv)
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--preset', choices=sorted(PRESETS) + ['imagenette-256'],
                        help='a documented study setting (its values replace the defaults '
                        'of --data, --budget-s, --curve-points, --records and --out)')
    parser.add_argument('--data', default=DATA, help='an ImageNet-layout folder')
    parser.add_argument('--arch', default='26m')
    parser.add_argument('--size', type=int, default=128, help='pretraining and eval size')
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--budget-s', type=float, default=120.,
                        help='CPU seconds of training steps per method and seed')
    parser.add_argument('--steps', type=int, default=None,
                        help='train every method for exactly this many steps instead of '
                        '--budget-s CPU seconds (the same work whatever the machine load)')
    parser.add_argument('--bag', type=int, default=16,
                        help='patches per image of the bag-of-patches kNN (grid, half side)')
    parser.add_argument('--probe-epochs', type=int, default=30,
                        help='epochs of the transformer probe')
    parser.add_argument('--curve-points', type=int, default=1,
                        help='kNN measurements per run, evenly spaced over the budget (the '
                        'last at its end)')
    parser.add_argument('--methods', nargs='+', default=list(METHODS), choices=METHODS)
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--threads', type=int, default=None, help='torch threads')
    parser.add_argument('--workers', type=int, default=1, help='data-loading processes')
    parser.add_argument('--records', default='benchmarks/results/ssl_study.jsonl',
                        help='partial results, one line per (method, seed); reruns skip them')
    parser.add_argument('--save-backbones', default=None, metavar='DIR',
                        help="save every trained backbone as DIR/<method>_seed<seed>.pth "
                             "(extract_backbone.py's format: 'backbone.' keys)")
    parser.add_argument('--report-only', action='store_true',
                        help='train nothing: write the table and pictures of the records so '
                        'far (e.g. while the study still runs)')
    parser.add_argument('--out', default='benchmarks/results/ssl_study.md')
    parser.add_argument('--png', default=None, help='chart (default: --out with .png)')
    args = parser.parse_args(argv)
    if args.preset:
        for key, value in PRESETS[args.preset].items():
            setattr(args, key, value)
    if not osp.isdir(args.data):
        raise SystemExit(f'no dataset at {args.data}; pass --data (ImageNet layout: '
                         f'train/<class>/*, val/<class>/* or meta/train.txt, meta/val.txt)')
    if args.threads:
        torch.set_num_threads(args.threads)
    from fixed_work_study import portable
    settings = dict(data=portable(args.data), arch=args.arch, size=args.size,
                    batch=args.batch, budget_s=args.budget_s, bag=args.bag,
                    probe_epochs=args.probe_epochs)
    if args.steps:
        settings = dict(settings, budget_s=None, steps=args.steps)
    if args.curve_points > 1:
        settings['curve_points'] = args.curve_points
    records = Records(args.records, settings)
    if not args.report_only:
        evals = cached_eval_batches(args.data, args.size, args.workers)
        run_all([('method', m, s) for m in args.methods for s in args.seeds], records,
                lambda method, seed: run_one(method, seed, args, evals),
                weight=lambda method: 0.2 if method == 'none' else 1.)
    rows = [r for r in records.rows if r['method'] in args.methods and r['seed'] in args.seeds]
    summary = summarise(rows, 'method', args.methods, ['steps'] + list(PROBES))
    table = markdown_table(
        ['method', 'seeds', 'steps in budget'] + [f'{v} (%)' for v in PROBES.values()],
        [[m, int(s['seeds'][0]), f"{s['steps'][0]:.0f}"] + [fmt(s[p], 1, int(s['seeds'][0])) for p in PROBES]
         for m, s in summary.items()])
    if args.out:
        from plots import curves_with_bands, grouped_bars
        seeds = {m: int(summary[m]['seeds'][0]) for m in summary}
        grouped_bars([f'{m} ({n} seed{"s" * (n > 1)})' for m, n in seeds.items()],
                     {v: [summary[m][p] for m in summary] for p, v in PROBES.items()},
                     args.png or osp.splitext(args.out)[0] + '.png', 'top-1 (%)',
                     f'{osp.basename(osp.normpath(args.data))}, {args.arch}, '
                     f'{args.budget_s:.0f} CPU s per method, mean ± std over seeds')
        curves = {m: [[(p[0], p[2]) for p in r['curve']] for r in rows
                      if r['method'] == m and r.get('curve')] for m in args.methods}
        curves = {m: c for m, c in curves.items() if c}
        if curves:
            levels = {f'random init {summary["none"]["knn"][0]:.1f}':
                      summary['none']['knn'][0]} if 'none' in summary else {}
            curves_with_bands(curves, osp.splitext(args.out)[0] + '_curves.png',
                              'training compute (CPU s, 1 thread)', 'kNN top-1 (%)',
                              f'{osp.basename(osp.normpath(args.data))}, {args.arch}, '
                              f'kNN (k = 20) during pretraining', levels)
    epochs = {m: [r['epochs'] for r in rows if r['method'] == m and 'epochs' in r]
              for m in summary if m != 'none'}
    if any(epochs.values()):
        table += '\n\nEpochs reached in the budget: ' + ', '.join(
            f'{m} {fmt(mean_std(e), 2, len(e))}' for m, e in epochs.items() if e) + '.'
    dataset = osp.basename(osp.normpath(args.data))
    return report(f'All methods at an equal compute budget ({dataset}, {args.arch})', table,
                  dict(settings, seeds=args.seeds, threads=torch.get_num_threads()), args.out,
                  'cpu')


if __name__ == '__main__':
    main()

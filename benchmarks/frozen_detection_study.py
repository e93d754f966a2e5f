"""QB-Heat's headline claim on real data: frozen-backbone detection on PASCAL VOC 2007.

    python benchmarks/frozen_detection_study.py             # every full unit of the 256-px study
    python benchmarks/frozen_detection_study.py --backbones mine=backbone.pth --threads 1
    python benchmarks/frozen_detection_study.py --report-only   # table and picture, from records

For each backbone (by default the final MF-26M backbones of ``ssl_study.py --preset
imagenette-256``, each checked against the SHA-256 the study recorded) a stock mmdet RetinaNet
trains on the frozen backbone (weights, global tokens and BN statistics; the config's
``frozen_stages=4, norm_eval=True``) on ``voc2007-small/train`` and is evaluated on all of
``voc2007-small/val`` with mmdet's COCO metric (AP, AP50, AP75, AP per size). Through the
plugin's own tools, as a user runs them: ``tools/train.py CONFIG --coco-data DATA
--image-scale 256 256`` then ``tools/test.py ... --metrics-json``. The detector
(``configs/mmdet/retinanet_mobileformer-26m_fpn64_frozen_2x_voc-256px.py``) is the stock
RetinaNet with FPN and head width 64 (stock 256), batch 8, 24 epochs. Each (backbone, detector
seed) is one unit, appended to ``--records`` as it finishes; an interrupted unit resumes from
its last checkpoint (every 4 epochs). The table (mean ± std over every recorded unit of a
method, whichever ``--seeds`` this command trains), the differences to the paper's claims and
a picture of the same val images with every backbone's detections are written at the end.
"""
import argparse
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

from common import REPO, markdown_table, report

from fixed_work_study import VARIANTS, checked_backbone, repo_path  # noqa: E402
from study import DISPLAY_NAMES, Records, difference, fmt, mean_std, run_all  # noqa: E402

CONFIG = 'configs/mmdet/retinanet_mobileformer-26m_fpn64_frozen_2x_voc-256px.py'
STUDY = 'benchmarks/results/ssl_study_imagenette256.jsonl'
METRICS = {'bbox_mAP': 'AP', 'bbox_mAP_50': 'AP50', 'bbox_mAP_75': 'AP75',
           'bbox_mAP_s': 'AP_S', 'bbox_mAP_m': 'AP_M', 'bbox_mAP_l': 'AP_L'}
PAPER = {'mocov2': 7.9, 'supervised': 4.5}   # QB-Heat's lead in frozen COCO detection (AP)


def study_backbones(records: str) -> Dict[str, dict]:
    """``{method_seedN: {path, sha256, method}}`` of every full unit of the 256-px study."""
    out = {}
    if not osp.isfile(repo_path(records)):
        return out
    with open(repo_path(records)) as f:
        for line in f:
            r = json.loads(line)
            if r.get('phase') == 'full' and r.get('backbone'):
                out[f"{r['method']}_seed{r['seed']}"] = dict(
                    path=r['backbone'], sha256=r['backbone_sha256'], method=r['method'])
    return out


def run_tool(args, tool: str, argv: List[str], log: str) -> None:
    """``tools/<tool>`` in a subprocess with ``--threads`` CPU threads, its output in ``log``."""
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads),
               PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    with open(log, 'a') as f:
        proc = subprocess.run([sys.executable, osp.join(REPO, 'tools', tool), *argv], cwd=REPO,
                              env=env, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode:
        with open(log) as f:
            tail = ''.join(f.readlines()[-25:])
        raise RuntimeError(f'tools/{tool} failed (exit {proc.returncode}); its log: {log}\n'
                           f'{tail}')


def logged_train_seconds(log: str) -> Optional[float]:
    """The training time of a detector unit from mmengine's log, resumed or not: for every
    epoch, the mean of its logged ``time:`` values (each the mean seconds per iteration over
    the window since the previous log line) times its iterations, summed over the epochs. An
    epoch trained twice (a kill after it, a resume from the checkpoint before it) counts once,
    with its last run's timings. None when the log has no training line."""
    pattern = re.compile(r'Epoch\(train\)\s*\[(\d+)\]\[\s*(\d+)/(\d+)\].*?\btime: ([0-9.]+)')
    epochs: Dict[int, Tuple[int, dict]] = {}
    with open(log) as f:
        for line in f:
            m = pattern.search(line)
            if m:
                epoch, it, total, sec = (int(m.group(1)), int(m.group(2)), int(m.group(3)),
                                         float(m.group(4)))
                if epoch not in epochs or it <= max(epochs[epoch][1]):
                    epochs[epoch] = (total, {})     # a new run of this epoch starts over
                epochs[epoch][1][it] = sec
    if not epochs:
        return None
    return sum(total * sum(times.values()) / len(times) for total, times in epochs.values())


def data_args(args) -> List[str]:
    return ['--coco-data', args.data_abs, '--image-scale', *map(str, args.image_scale)]


def smoke_options(args) -> List[str]:
    if not args.smoke:
        return []
    return ['train_dataloader.dataset.indices=8', 'test_dataloader.dataset.indices=4',
            'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
            'param_scheduler.0.end=2', 'param_scheduler.1.milestones=[1]',
            'train_dataloader.batch_size=4', 'train_dataloader.persistent_workers=False',
            'default_hooks.checkpoint.interval=1',
            'model.test_cfg.score_thr=0.0']     # a few iterations score low: keep every box


def run_unit(name: str, seed: int, args, backbones: Dict[str, dict]) -> dict:
    info = backbones[name]
    path = repo_path(info['path'])
    digest = checked_backbone(name, info['path'], info.get('sha256'))
    work = osp.join(repo_path(args.work_dir), f'{name}_det{seed}')
    os.makedirs(work, exist_ok=True)
    log = osp.join(work, 'unit.log')
    options = [f'model.backbone.init_cfg.checkpoint={path}', f'randomness.seed={seed}',
               *smoke_options(args)]
    resume = any(f.endswith('.pth') for f in os.listdir(work))
    start = time.time()
    print(f'  {name} det seed {seed}: training{" (resuming)" if resume else ""}; log {log}',
          flush=True)
    run_tool(args, 'train.py', [args.config, '--work-dir', work, '--no-validate',
                                *data_args(args), *(['--resume'] if resume else []),
                                '--cfg-options', *options], log)
    train_s = logged_train_seconds(log) or time.time() - start   # a resumed unit: all of it
    with open(osp.join(work, 'last_checkpoint')) as f:
        ckpt = f.read().strip()
    metrics_file = osp.join(work, 'metrics.json')
    start = time.time()
    run_tool(args, 'test.py', [args.config, ckpt, '--work-dir', work, *data_args(args),
                               '--metrics-json', metrics_file, '--cfg-options', *options], log)
    with open(metrics_file) as f:
        metrics = json.load(f)
    row = dict(unit=f'{name}_det{seed}', backbone=name, method=info.get('method', name),
               seed=seed, backbone_sha256=digest, checkpoint=osp.relpath(ckpt, REPO),
               train_s=round(train_s, 1), test_s=round(time.time() - start, 1))
    for key, short in METRICS.items():
        value = metrics.get(f'coco/{key}')
        row[short] = None if value is None else round(100 * float(value), 2)
    return row


# the picture's detections are recorded down to this score, so any --score-thr above it redraws
PICTURE_MIN_SCORE = 0.05


def data_settings(args) -> dict:
    """What a record's numbers depend on, shared by the unit and the picture records: the
    COCO-format folder (relative to the repository), the detector config and the image scale."""
    return dict(data=osp.relpath(args.data_abs, REPO), config=args.config,
                image_scale=list(args.image_scale))


def picture_records(args) -> Records:
    """Each drawn unit's detections on the picture's images, beside ``--records``: the
    detector checkpoints live outside git, so ``--report-only`` redraws the picture from these
    in any clone, and a machine that loses the checkpoints keeps the picture's columns."""
    return Records(osp.splitext(repo_path(args.records))[0] + '_picture.jsonl',
                   dict(data_settings(args), min_score=PICTURE_MIN_SCORE))


def detect_images(args, checkpoint: str, files: List[str]) -> List[list]:
    """The detector ``checkpoint``'s boxes on each image of ``files``, score >=
    :data:`PICTURE_MIN_SCORE`: ``[[x1, y1, x2, y2, class name, score], ...]`` per image."""
    from mmdet.apis import inference_detector, init_detector
    from mmengine.config import Config
    from mmengine.logging import MMLogger

    import qbheat_mm  # noqa: F401
    from qbheat_mm.datasets.coco_folder import set_image_scale, use_coco_folder
    cfg = Config.fromfile(repo_path(args.config))
    classes = use_coco_folder(cfg, args.data_abs)['classes']
    set_image_scale(cfg, args.image_scale)
    cfg.model.backbone.init_cfg = None           # the detector checkpoint holds it
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')                   # one INFO line per initialised weight
    try:
        model = init_detector(cfg, repo_path(checkpoint), device='cpu')
    finally:
        logger.setLevel(level)
    out = []
    for file in files:
        pred = inference_detector(model, file).pred_instances
        keep = pred.scores >= PICTURE_MIN_SCORE
        out.append([[round(float(v), 1) for v in box] + [classes[int(label)],
                                                         round(float(score), 3)]
                    for box, label, score in zip(pred.bboxes[keep], pred.labels[keep],
                                                 pred.scores[keep])])
    return out


def picture_detections(args, rows: List[dict], images: List[str]) -> Dict[str, dict]:
    """``{method: picture record}`` of the first unit of each method (QB-Heat first, random
    init last) whose detections on ``images`` (file names in the val folder) are recorded,
    or whose detector checkpoint is here: then they are computed and recorded."""
    records = picture_records(args)
    out = {}
    for r in sorted(rows, key=lambda r: (r['method'] == 'none', not r['method'].startswith(
            'qbheat'), r['method'], r['backbone'], r['seed'])):
        if r['method'] in out:
            continue
        kept = records.done(unit=r['unit'], images=images)
        if kept is None and osp.isfile(repo_path(r['checkpoint'])):
            kept = dict(unit=r['unit'], method=r['method'], seed=r['seed'], AP=r['AP'],
                        backbone_sha256=r.get('backbone_sha256'), images=images,
                        boxes=detect_images(args, r['checkpoint'],
                                            [osp.join(args.data_abs, 'val', i) for i in images]))
            records.add(kept)
        if kept is not None:
            out[r['method']] = kept
    return out


def draw(args, rows: List[dict]) -> str:
    """The same val images with their ground truth and each method's detections (its first
    unit with recorded picture detections or a detector checkpoint here), side by side. When
    some method of the table has neither, the picture already there is kept, not redrawn
    without that method's column; a missing picture is drawn from what there is."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    out = osp.splitext(repo_path(args.out))[0] + '.png'
    with open(osp.join(args.data_abs, 'annotations', 'instances_val.json')) as f:
        coco = json.load(f)
    images = coco['images']
    picked = [images[i * len(images) // args.picture_images]
              for i in range(args.picture_images)]
    firsts = picture_detections(args, rows, [image['file_name'] for image in picked])
    missing = sorted({r['method'] for r in rows} - set(firsts))
    if missing and osp.isfile(out):
        print(f'{osp.relpath(out, REPO)} kept: neither recorded detections nor a detector '
              f'checkpoint here for {", ".join(missing)}', flush=True)
        return out
    if not firsts:
        return ''
    names = {c['id']: c['name'] for c in coco['categories']}
    truth = {image['id']: [] for image in picked}
    for a in coco['annotations']:
        if a['image_id'] in truth:
            x, y, w, h = a['bbox']
            # VOC's 'difficult' boxes (iscrowd) are not scored: dashed
            truth[a['image_id']].append(((x, y, x + w, y + h), names[a['category_id']],
                                         bool(a.get('iscrowd'))))
    fig, axes = plt.subplots(len(picked), len(firsts) + 1,
                             figsize=(2.6 * (len(firsts) + 1), 2.3 * len(picked)),
                             squeeze=False)

    def panel(ax, file: str, boxes, title: str, colour: str) -> None:
        ax.imshow(plt.imread(file))
        for (x1, y1, x2, y2), text, dashed in boxes:
            ax.add_patch(plt.Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=1.2,
                                       color=colour, ls='--' if dashed else '-'))
            ax.text(x1, y1, text, fontsize=5, color='black', backgroundcolor=colour)
        ax.set_xticks([])
        ax.set_yticks([])
        if title:
            ax.set_title(title, fontsize=8)

    files = [osp.join(args.data_abs, 'val', image['file_name']) for image in picked]
    for row_i, image in enumerate(picked):
        panel(axes[row_i][0], files[row_i], truth[image['id']],
              'ground truth' if row_i == 0 else '', 'orange')
    for col, (method, kept) in enumerate(firsts.items(), start=1):
        for row_i, file in enumerate(files):
            boxes = [(tuple(b[:4]), f'{b[4]} {b[5]:.2f}', False) for b in kept['boxes'][row_i]
                     if b[5] >= args.score_thr]
            panel(axes[row_i][col], file, boxes,
                  f'{DISPLAY_NAMES.get(method, method)} (AP {kept["AP"]:.1f})'
                  if row_i == 0 else '', 'lime')
    fig.suptitle(f'Frozen MF-26M + RetinaNet, VOC 2007 val: ground truth (dashed: difficult, '
                 f'not scored)\nand each backbone\'s detections with score >= {args.score_thr}',
                 fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=100)   # photographs: about 1 MB at 4 columns
    plt.close(fig)
    return out


def paper_comparison(qbheat: dict, other: dict, name: str, variant: str = 'qbheat') -> str:
    """``variant`` − ``name`` in AP and AP50 beside the paper's lead of QB-Heat over ``name``;
    ``qbheat`` / ``other`` are :func:`write_report` summaries ({metric: (mean, std),
    'units': n}), ``qbheat`` a QB-Heat variant's. The ± is the standard error of the
    difference of the means, given only when both have at least 2 units."""
    na, nb = qbheat['units'], other['units']
    gaps = ', '.join(f'{difference(qbheat[k], na, other[k], nb)} {k}' for k in ('AP', 'AP50')
                     if k in qbheat and k in other)
    return (f'{DISPLAY_NAMES.get(variant, variant)} − {DISPLAY_NAMES.get(name, name)}: {gaps} '
            f'here ({na} and {nb} units; the paper, frozen COCO detection: QB-Heat '
            f'+{PAPER[name]} AP).')


def write_report(args, records: Records) -> str:
    records.reload()             # with the units the other lane recorded meanwhile
    # every recorded unit, whichever detector seeds this command trains
    rows = list(records.rows)
    methods = sorted({r['method'] for r in rows}, key=lambda m: (m == 'none', m))
    summary = {}
    for m in methods:
        runs = [r for r in rows if r['method'] == m and r.get('AP') is not None]
        if runs:
            summary[m] = {k: mean_std([r[k] for r in runs]) for k in METRICS.values()
                          if all(r.get(k) is not None for r in runs)}
            summary[m]['units'] = len(runs)
            summary[m]['train_min'] = mean_std([r['train_s'] / 60 for r in runs])
    table = markdown_table(
        ['backbone', 'units'] + list(METRICS.values()) + ['train min / unit'],
        [[m, s['units']] + [fmt(s[k], 1, s['units']) if k in s else '-'
                            for k in METRICS.values()] + [f'{s["train_min"][0]:.0f}']
         for m, s in summary.items()])
    lines = [table]
    lines += [paper_comparison(summary[variant], summary[other], other, variant)
              for variant in VARIANTS if variant in summary
              for other in PAPER if other in summary]
    if args.out and summary and not args.no_picture:
        png = draw(args, rows)
        if png:
            lines.append(f'![detections]({osp.basename(png)})')
    settings = dict(records.settings, seeds=sorted({r['seed'] for r in rows}),
                    threads=args.threads)
    return report('Frozen-backbone detection on PASCAL VOC 2007 (train -> val, 256 px)',
                  '\n\n'.join(lines), settings, args.out and repo_path(args.out), 'cpu')


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--data', default='../shared/data/voc2007-small',
                        help='a COCO-format folder (relative paths: to the repository)')
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--image-scale', nargs=2, type=int, default=[256, 256])
    parser.add_argument('--study', default=STUDY,
                        help='records of the 256-px study whose full units give the backbones')
    parser.add_argument('--backbones', nargs='*', default=[], metavar='NAME=PATH',
                        help='more backbones (extract_backbone.py format)')
    parser.add_argument('--only', nargs='*', default=None, metavar='NAME',
                        help='run only these backbones (names as in the table of units)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0],
                        help='detector seeds to train (the report has every recorded unit)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--smoke', action='store_true',
                        help='a few images and iterations: checks the machinery (seconds)')
    parser.add_argument('--records', default='benchmarks/results/frozen_detection_voc2007.jsonl')
    parser.add_argument('--out', default='benchmarks/results/frozen_detection_voc2007.md')
    parser.add_argument('--work-dir', default='work_dirs/frozen_detection_voc2007')
    parser.add_argument('--picture-images', type=int, default=4)
    parser.add_argument('--score-thr', type=float, default=0.3)
    parser.add_argument('--no-picture', action='store_true')
    parser.add_argument('--report-only', action='store_true')
    args = parser.parse_args(argv)
    args.data_abs = osp.abspath(repo_path(args.data))
    records = Records(repo_path(args.records), dict(data_settings(args), smoke=args.smoke))
    if not args.report_only:
        if not osp.isdir(args.data_abs):
            raise SystemExit(f'no COCO-format folder at {args.data}; pass --data')
        backbones = study_backbones(args.study)
        for item in args.backbones:
            name, _, path = item.partition('=')
            if not path:
                raise SystemExit(f'--backbones takes NAME=PATH, got {item!r}')
            backbones[name] = dict(path=path, sha256=None, method=name.split('_seed')[0])
        if args.only is not None:
            backbones = {k: v for k, v in backbones.items() if k in args.only}
        if not backbones:
            raise SystemExit(f'no backbone: {args.study} has no full unit yet and no '
                             f'--backbones NAME=PATH was given')
        run_all([('unit', f'{n}_det{s}', s) for n in backbones for s in args.seeds], records,
                lambda unit, seed: run_unit(unit.rsplit('_det', 1)[0], seed, args, backbones))
    return write_report(args, records)


if __name__ == '__main__':
    main()

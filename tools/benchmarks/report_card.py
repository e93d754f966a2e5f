"""One command for a checkpoint's report card: the standard downstream protocols of its
backbone through tools/dist_train.sh and tools/dist_test.sh, collected into one table.

    python tools/benchmarks/report_card.py CHECKPOINT --arch mobileformer-294m --gpus 8 \
        [--protocols linear frozen_detection ...] [--work-dir DIR] [--dry-run]
        [--imagenet-data DIR] [--coco-data DIR] [--seg-data DIR] [--inat-data DIR]
        [--smoke-iters N [--smoke-test-images K]]

CHECKPOINT is a pretraining checkpoint of this plugin or a backbone checkpoint
(extract_backbone.py's or a converter's output); its backbone is extracted once. Protocols per
arch (qbheat_mm/evaluation/report_card.py): Mobile-Former: linear probe, transformer probe,
frozen RetinaNet, frozen and fine-tuned Semantic FPN; resnet50: linear probe, semi-supervised
1 % / 10 %, frozen RetinaNet, LEWEL's Mask R-CNN, VOC12 aug FCN; vit-small: GTSA's Mask R-CNN,
ADE20K Semantic FPN and iNaturalist-2019 fine-tuning. Without the data flags each config reads
its own data_root; a protocol whose data is missing is skipped with the reason in the table.
--dry-run writes the configs and prints every command without running anything.
--smoke-iters N runs each protocol for N iterations of 2 images and scores the first
--smoke-test-images test images: a check that everything is wired, not a score.

Writes WORK/report_card.md and WORK/report_card.json (every metric of every protocol).
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

from qbheat_mm.evaluation.report_card import (DATA_FLAGS, PROTOCOLS, REPO,  # noqa: E402
                                              check_data, commands, markdown, run_protocol,
                                              select, shell, shown_config, slug,
                                              write_config)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('checkpoint', help='pretraining or backbone checkpoint')
    parser.add_argument('--arch', required=True, choices=sorted(PROTOCOLS))
    parser.add_argument('--gpus', type=int, default=1,
                        help='processes per protocol run (GPUs; gloo processes on a CPU)')
    parser.add_argument('--protocols', nargs='+', metavar='NAME',
                        help='run only these (prefixes of the row names, e.g. linear '
                        'frozen_detection segmentation)')
    parser.add_argument('--work-dir', help='default: work_dirs/report_card/<checkpoint name>')
    parser.add_argument('--dry-run', action='store_true',
                        help='write the configs, check the data folders and print the commands '
                        'of the rows that would run; run nothing')
    for kind, flag in DATA_FLAGS.items():
        parser.add_argument(flag, metavar='DIR', dest=f'{kind}_data',
                            help=f'{kind} protocols read this folder')
    parser.add_argument('--smoke-iters', type=int, default=0,
                        help='train each protocol N iterations only (a wiring check)')
    parser.add_argument('--smoke-test-images', type=int, default=2)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'error: checkpoint {args.checkpoint!r} not found')
    try:
        protocols = select(args.arch, args.protocols)
    except ValueError as exc:
        raise SystemExit(f'error: {exc}')
    name = osp.splitext(osp.basename(args.checkpoint))[0]
    work = osp.abspath(args.work_dir or osp.join('work_dirs', 'report_card', name))
    data = {k: getattr(args, f'{k}_data') for k in DATA_FLAGS}
    for kind, path in data.items():
        if path and not osp.isdir(path):
            raise SystemExit(f'error: {DATA_FLAGS[kind]} {path!r} is not a folder')
    os.makedirs(work, exist_ok=True)
    backbone = osp.join(work, 'backbone.pth')
    extract = [sys.executable, osp.join(REPO, 'tools', 'model_converters', 'extract_backbone.py'),
               osp.abspath(args.checkpoint), backbone]
    print(f'# {len(protocols)} protocol(s) of {args.arch} in {work}', flush=True)
    print(shell(extract), flush=True)
    if not args.dry_run:
        proc = subprocess.run(extract, capture_output=True, text=True, cwd=REPO)
        if proc.returncode != 0:
            raise SystemExit(f'error: extracting the backbone failed:\n{proc.stderr[-2000:]}')
    rows = []
    start = time.time()
    for i, protocol in enumerate(protocols, 1):
        run_dir = osp.join(work, slug(protocol.name))
        config = write_config(protocol, backbone, osp.join(run_dir, 'config.py'), data,
                              args.smoke_iters, args.smoke_test_images)
        cmds = commands(protocol, run_dir, args.gpus, data, bool(args.smoke_iters))
        shown = shown_config(protocol, run_dir)
        missing = check_data(protocol, config, data)
        row = dict(protocol=protocol.name, config=shown, metrics={}, work_dir=run_dir,
                   status=f'skipped: {missing}' if missing else 'dry run')
        if missing:                 # no command for a row that will not run
            print(f'\n# [{i}/{len(protocols)}] {protocol.name}: skipped: {missing}', flush=True)
        else:
            print(f'\n# [{i}/{len(protocols)}] {protocol.name} ({shown})\n'
                  f'{shell(cmds["train"])}\n{shell(cmds["test"])}', flush=True)
        if not args.dry_run:
            if not missing:
                row = run_protocol(protocol, run_dir, args.gpus, data, bool(args.smoke_iters))
                row['config'] = shown
            elapsed = time.time() - start
            print(f'# [{i}/{len(protocols)}] {row["status"]}; '
                  f'{ {k: row["metrics"].get(k) for k in protocol.metrics} }; '
                  f'{elapsed:.0f} s so far, about '
                  f'{elapsed / i * (len(protocols) - i):.0f} s to go', flush=True)
        row['keys'] = list(protocol.metrics)
        rows.append(row)
    card = dict(checkpoint=osp.abspath(args.checkpoint), arch=args.arch, gpus=args.gpus,
                smoke_iters=args.smoke_iters, rows=rows)
    with open(osp.join(work, 'report_card.json'), 'w') as f:
        json.dump(card, f, indent=1)
    table = markdown(card)
    with open(osp.join(work, 'report_card.md'), 'w') as f:
        f.write(table)
    print('\n' + table + f'\n(written to {osp.join(work, "report_card.md")} and .json)')
    if args.dry_run:
        ready = [r['protocol'] for r in rows if r['status'] == 'dry run']
        print(f'dry run: {len(ready)} of {len(rows)} rows would run'
              + (f' ({", ".join(ready)})' if ready else '')
              + ('; the others name the data flag they need' if len(ready) < len(rows) else ''))
        return 0
    return 0 if all(r['status'] == 'ok' for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())

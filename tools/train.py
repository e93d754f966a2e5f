"""Train an mmpretrain, mmdet or mmseg config (its ``default_scope`` decides) with qbheat_mm
loaded.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                          [--auto-scale-lr] [--no-validate] [--cfg-options K=V ...]
                          [--knn-data ROOT [--knn-interval N] [--knn-size S]]
                          [--verify-data] [--skip-unreadable] [--coco-data DIR] [--seg-data DIR]
                          [--launcher {none,pytorch,slurm,mpi}]

--knn-data turns on the kNN monitor (configs/_base_/evaluation/knn_imagenette.py) on any
labelled ImageNet-layout folder: knn/top1 and knn/top5 every --knn-interval iterations or
epochs (as the config's train loop counts).

Multi-process runs: tools/dist_train.sh CONFIG GPUS (gloo on CPU-only machines).
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
import os

import torch  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from qbheat_mm.converters import NormalizationMismatchError  # noqa: E402
from qbheat_mm.datasets import DataRootError, check_data_roots  # noqa: E402
from qbheat_mm.utils import (add_common_args, default_mmpretrain_collate,  # noqa: E402
                             load_config, nested_dicts, setup_cpu_distributed)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model (mmpretrain, mmdet or mmseg config)')
    parser.add_argument('config', help='config file')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from CKPT, or from the latest checkpoint in the work dir '
                        'when no path is given')
    parser.add_argument('--amp', action='store_true', help='mixed precision (needs CUDA)')
    parser.add_argument('--no-validate', action='store_true', help='skip validation')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the LR by total batch / auto_scale_lr.base_batch_size')
    parser.add_argument('--knn-data', metavar='ROOT',
                        help='kNN monitor on this ImageNet-layout folder (train = memory, '
                        'val = queries)')
    parser.add_argument('--knn-interval', type=int, default=1,
                        help='validation interval of the kNN monitor (iterations or epochs)')
    parser.add_argument('--knn-size', type=int, default=224, help='kNN centre-crop size')
    parser.add_argument('--verify-data', action='store_true',
                        help='decode every training image before training starts (strict, as '
                        'tools/misc/verify_dataset.py) and stop on unreadable ones, unless '
                        '--skip-unreadable')
    parser.add_argument('--skip-unreadable', action='store_true',
                        help='training skips an unreadable image (another is drawn) with a '
                        'logged warning and a count, instead of stopping (LoadImageOrSkip)')
    add_common_args(parser)
    return parser.parse_args(argv)


KNN_BASE = osp.join(project_env.REPO, 'configs', '_base_', 'evaluation', 'knn_imagenette.py')


def add_knn_monitor(cfg, root: str, interval: int, size: int):
    """Merge the kNN monitor piece into ``cfg`` with ``root`` as its data folder."""
    from mmengine.config import Config
    if not osp.isdir(root):
        raise SystemExit(f'--knn-data: no folder {root!r}; pass an ImageNet-layout folder '
                         f'(train/ and val/ class folders, or meta/train.txt and meta/val.txt)')
    piece = Config.fromfile(KNN_BASE)
    loaders = (piece.val_dataloader, piece.val_cfg.memory_dataloader)
    for loader, split in zip(loaders, ('val', 'train')):
        ann = osp.join('meta', f'{split}.txt')
        loader.dataset.update(data_root=root,
                              ann_file=ann if osp.isfile(osp.join(root, ann)) else '')
        loader.dataset.pipeline[1].scale = size * 8 // 7
        loader.dataset.pipeline[2].crop_size = size
        loader.num_workers = min(loader.num_workers, os.cpu_count() or 1)
    cfg.merge_from_dict(dict(val_dataloader=piece.val_dataloader, val_cfg=piece.val_cfg,
                             val_evaluator=piece.val_evaluator,
                             train_cfg=dict(val_interval=interval)))
    if 'Iter' in str(cfg.train_cfg.get('type', '')):    # x axis of the curve: iterations
        cfg.merge_from_dict(dict(default_hooks=dict(logger=dict(log_metric_by_epoch=False))))
    return cfg


def skip_unreadable_images(cfg) -> int:
    """Load the training images with ``LoadImageOrSkip`` (same arguments); returns how many
    loading steps it replaced."""
    steps = [d for _, d in nested_dicts(cfg.train_dataloader)
             if str(d.get('type', '')).split('.')[-1] == 'LoadImageFromFile']
    for step in steps:
        step['type'] = 'mmpretrain.LoadImageOrSkip'
    if not steps:
        raise SystemExit('--skip-unreadable: the training pipeline has no LoadImageFromFile '
                         'step to replace; put dict(type=\'LoadImageOrSkip\') where it loads '
                         'images')
    return len(steps)


def verify_training_images(cfg, skip: bool) -> None:
    """``--verify-data``: decode every training image now; stop on unreadable ones unless
    they will be skipped."""
    from qbheat_mm.datasets.verify_images import (default_workers, loader_image_paths,
                                                  unreadable_message, verify_images)
    paths = loader_image_paths(cfg, 'train_dataloader')
    print(f'--verify-data: decoding {len(paths)} training images', flush=True)
    bad = verify_images(paths, default_workers())
    if not bad:
        print(f'--verify-data: all {len(paths)} training images are readable', flush=True)
        return
    message = unreadable_message(bad, len(paths))
    if not skip:
        raise SystemExit(f'error: --verify-data: {message}\nReplace or delete them, or add '
                         f'--skip-unreadable to train without them (each skip logged)')
    # no runner (and log file) exists yet: the console
    print(f'WARNING --verify-data: {message}\n--skip-unreadable: training skips them', flush=True)


def merge_args(cfg, args):
    """Apply the training-only flags to the config."""
    if args.amp:
        if not torch.cuda.is_available():
            raise SystemExit('--amp needs a CUDA device (AmpOptimWrapper refuses CPU-only '
                             'torch); drop --amp on this machine')
        cfg.optim_wrapper.type = ('PerParamClipAmpOptimWrapper' if cfg.optim_wrapper.get(
            'type', '').startswith('PerParamClip') else 'AmpOptimWrapper')
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.auto_scale_lr:
        if not cfg.get('auto_scale_lr', {}).get('base_batch_size'):
            raise SystemExit('--auto-scale-lr: the config has no auto_scale_lr.base_batch_size; '
                             'add auto_scale_lr = dict(base_batch_size=N) to it')
        cfg.auto_scale_lr.enable = True
    if args.knn_data:
        if args.no_validate:
            raise SystemExit('--knn-data runs in the validation loop; drop --no-validate')
        add_knn_monitor(cfg, args.knn_data, args.knn_interval, args.knn_size)
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.skip_unreadable:
        skip_unreadable_images(cfg)
    if args.resume == 'auto':
        from mmengine.logging import print_log
        from qbheat_mm.fileio import find_resume_checkpoint
        found, notes = find_resume_checkpoint(cfg.work_dir)
        for note in notes:
            print_log(f'--resume: {note}', logger='current', level=30)
        if found is None:
            print_log(f'--resume: no checkpoint in {osp.abspath(cfg.work_dir)}: training starts '
                      f'from scratch (check --work-dir if you meant to continue a run)',
                      logger='current', level=30)
        cfg.resume, cfg.load_from = found is not None, found
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise SystemExit(f'--resume: checkpoint {args.resume!r} not found')
        from qbheat_mm.fileio.resume_checkpoint import is_readable_checkpoint
        if not is_readable_checkpoint(args.resume):
            raise SystemExit(
                f'error: --resume: {args.resume} is not a complete checkpoint (cut short while '
                f'it was written, or not a torch.save file); resume from an earlier one of its '
                f'work dir, or pass --resume without a path to take the newest readable one')
        cfg.resume, cfg.load_from = True, args.resume
    return default_mmpretrain_collate(cfg)


def last_checkpoint(work_dir: str):
    """The checkpoint ``--resume`` would continue from, or None."""
    from qbheat_mm.fileio import find_resume_checkpoint
    return find_resume_checkpoint(work_dir)[0] if osp.isdir(work_dir) else None


def resume_command(args, work_dir: str) -> str:
    """This run's command line with ``--resume`` (and the work dir) to continue it."""
    argv = list(sys.argv[1:]) if args.config in sys.argv[1:] else [args.config]
    if '--resume' in argv:
        i = argv.index('--resume')
        drop = 2 if i + 1 < len(argv) and not argv[i + 1].startswith('-') else 1
        del argv[i:i + drop]
    if '--work-dir' not in argv:
        argv += ['--work-dir', work_dir]
    return 'python tools/train.py ' + ' '.join(argv) + ' --resume'


def unreadable_image_hint(exc: BaseException, config: str) -> str:
    """The last line after an image the loader could not decode stopped training."""
    import re
    found = re.search(r'failed to load image: (\S+)', str(exc))
    where = f' ({found.group(1)})' if found else ''
    return (f'error: an unreadable image stopped training{where}. List every unreadable image '
            f'with python tools/misc/verify_dataset.py {config}, then replace or delete them; '
            f'or rerun with --verify-data (checks all images before training starts) or '
            f'--skip-unreadable (skips them, each skip logged)')


def add_empty_result_explainer(cfg) -> None:
    """mmdet configs: explain an empty detection result at validation time, as
    tools/test.py does at test time (mmdet only logs an ERROR line)."""
    if cfg.get('default_scope') == 'mmdet' and cfg.get('val_cfg'):
        hooks = cfg.get('custom_hooks') or []
        if not any(h.get('type') == 'EmptyDetectionResultHook' for h in hooks):
            cfg.custom_hooks = list(hooks) + [dict(type='EmptyDetectionResultHook')]


def main(argv=None) -> None:
    args = parse_args(argv)
    cfg = merge_args(load_config(args), args)
    add_empty_result_explainer(cfg)
    # the loaders training builds: train, and val unless --no-validate (it drops val_cfg)
    check_data_roots(cfg, ('train_dataloader', 'val_dataloader', 'val_cfg.memory_dataloader')
                     if cfg.get('val_cfg') else ('train_dataloader', ))
    if args.verify_data and int(os.environ.get('RANK', '0')) == 0:
        verify_training_images(cfg, args.skip_unreadable)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    if args.resume == 'auto' and not cfg.resume:   # repeated below the config dump
        print(f'WARNING --resume: nothing to resume in {osp.abspath(cfg.work_dir)}: training '
              f'starts from scratch (check --work-dir if you meant to continue a run)',
              flush=True)
    try:
        runner.train()
    except KeyboardInterrupt:
        found = last_checkpoint(cfg.work_dir)
        print('\n' + (f'interrupted: the last checkpoint is {found}; continue with: '
                      f'{resume_command(args, cfg.work_dir)}' if found else
                      'interrupted before the first checkpoint: nothing to resume; rerun the '
                      'same command to start again'), file=sys.stderr, flush=True)
        raise SystemExit(130)
    found = last_checkpoint(cfg.work_dir)
    if found and int(os.environ.get('RANK', '0')) == 0:
        print(f'checkpoint: {found} (logs and pictures in {osp.abspath(cfg.work_dir)})',
              flush=True)


if __name__ == '__main__':
    try:
        main()
    except (DataRootError, NormalizationMismatchError) as exc:   # its message, no traceback
        raise SystemExit(f'error: {exc}')
    except Exception as exc:  # noqa: BLE001  (an unreadable image: the traceback, then the fix)
        if 'failed to load image' not in str(exc):
            raise
        import traceback
        traceback.print_exc()
        config = next((a for a in sys.argv[1:] if not a.startswith('-')), 'CONFIG')
        print(unreadable_image_hint(exc, config), file=sys.stderr, flush=True)
        raise SystemExit(1)

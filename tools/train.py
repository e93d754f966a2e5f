"""Train an mmpretrain or mmdet config (its ``default_scope`` decides) with qbheat_mm loaded.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                          [--auto-scale-lr] [--no-validate] [--cfg-options K=V ...]
                          [--launcher {none,pytorch,slurm,mpi}]

Multi-process runs: tools/dist_train.sh CONFIG GPUS (gloo on CPU-only machines).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from qbheat_mm.datasets import check_data_roots  # noqa: E402
from qbheat_mm.utils import (add_common_args, default_mmpretrain_collate,  # noqa: E402
                             load_config, setup_cpu_distributed)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model (mmpretrain or mmdet config)')
    parser.add_argument('config', help='config file')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from CKPT, or from the latest checkpoint in the work dir '
                        'when no path is given')
    parser.add_argument('--amp', action='store_true', help='mixed precision (needs CUDA)')
    parser.add_argument('--no-validate', action='store_true', help='skip validation')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the LR by total batch / auto_scale_lr.base_batch_size')
    add_common_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    """Apply the training-only flags to the config."""
    if args.amp:
        if not torch.cuda.is_available():
            raise SystemExit('--amp needs a CUDA device (AmpOptimWrapper refuses CPU-only '
                             'torch); drop --amp on this machine')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.auto_scale_lr:
        if not cfg.get('auto_scale_lr', {}).get('base_batch_size'):
            raise SystemExit('--auto-scale-lr: the config has no auto_scale_lr.base_batch_size; '
                             'add auto_scale_lr = dict(base_batch_size=N) to it')
        cfg.auto_scale_lr.enable = True
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise SystemExit(f'--resume: checkpoint {args.resume!r} not found')
        cfg.resume, cfg.load_from = True, args.resume
    return default_mmpretrain_collate(cfg)


def main(argv=None) -> None:
    args = parse_args(argv)
    cfg = merge_args(load_config(args), args)
    # the loaders training builds: train, and val unless --no-validate (it drops val_cfg)
    check_data_roots(cfg, ('train_dataloader', 'val_dataloader') if cfg.get('val_cfg') else
                     ('train_dataloader', ))
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()

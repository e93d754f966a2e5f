"""Shared set-up of tools/train.py and tools/test.py: config, launcher, CPU distributed runs."""
import argparse
import os
import os.path as osp

import torch
import torch.distributed as dist
from mmengine.config import Config, DictAction

from .config_walk import nested_dicts


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Arguments both tools share (OpenMMLab spelling)."""
    parser.add_argument('--work-dir', help='folder for logs and checkpoints')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config keys, e.g. model.backbone.arch=26m '
        'train_dataloader.batch_size=32')
    parser.add_argument(
        '--coco-data', metavar='DIR',
        help='(mmdet configs) train and evaluate on this COCO-format folder: '
        'annotations/instances_<split>.json + <split>/ images (train* for training, val* for '
        'evaluation; one split serves both); its categories replace COCO\'s 80 if they differ')
    parser.add_argument(
        '--image-scale', nargs=2, type=int, metavar=('W', 'H'),
        help='(mmdet configs) the scale of every Resize step of the train, val and test '
        'pipelines, e.g. 256 256 for images whose longer side is 256 (stock: 1333 800; '
        'keep_ratio stays)')
    parser.add_argument(
        '--seg-data', metavar='DIR',
        help='(mmseg configs) train and evaluate on this segmentation folder: classes.txt + '
        'images/<split>/ + annotations/<split>/*.png (training/validation or train/val; one '
        'split serves both); its classes replace the config\'s')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    # torchrun sets LOCAL_RANK; torch.distributed.launch passes --local-rank
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """Load the config, apply ``--cfg-options``/``--launcher``/``--work-dir``."""
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file {args.config!r} not found; pass the path of a '
                                'config, e.g. configs/qbheat/mobileformer-26m_demo.py')
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = Config.fromfile(args.config)
    if getattr(args, 'coco_data', None):   # before --cfg-options, which may refine it
        from qbheat_mm.datasets.coco_folder import use_coco_folder
        picked = use_coco_folder(cfg, args.coco_data)
        same = (' (the folder has one split: the scores are on the training images)'
                if picked['train'] == picked['eval'] else '')
        classes = (f"; its {len(picked['classes'])} categories replace COCO's 80"
                   if picked['classes'] else '')
        print(f"--coco-data: training on {picked['train']}, evaluating on {picked['eval']}"
              f'{same}{classes}', flush=True)
    if getattr(args, 'image_scale', None):
        from qbheat_mm.datasets.coco_folder import set_image_scale
        count = set_image_scale(cfg, args.image_scale)
        print(f'--image-scale: {count} Resize steps now scale to {tuple(args.image_scale)}',
              flush=True)
    if getattr(args, 'seg_data', None):
        from qbheat_mm.datasets.seg_folder import use_seg_folder
        picked = use_seg_folder(cfg, args.seg_data)
        same = (' (the folder has one split: the scores are on the training images)'
                if picked['train'] == picked['eval'] else '')
        print(f"--seg-data: training on {picked['train']}, evaluating on {picked['eval']}"
              f"{same}; {len(picked['classes'])} classes", flush=True)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def default_mmpretrain_collate(cfg: Config) -> Config:
    """mmpretrain batches are stacked tensors: give its dataloaders ``default_collate``
    unless they name one (mmengine's default is ``pseudo_collate``; mmdet keeps it)."""
    if cfg.get('default_scope', 'mmpretrain') == 'mmpretrain':
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            if cfg.get(key) is not None:
                cfg[key].setdefault('collate_fn', dict(type='default_collate'))
    return cfg


def setup_cpu_distributed(cfg: Config) -> None:
    """Let ``--launcher pytorch`` run on machines without CUDA.

    mmengine's ``init_dist`` for the pytorch launcher calls
    ``torch.cuda.set_device``, and its default DDP wrapper passes
    ``device_ids=[LOCAL_RANK]``; neither works on a CPU. Here we create the
    gloo process group from torchrun's environment ourselves (the Runner then
    finds it initialised) and wrap the model for CPU DDP (no device_ids).
    torch's ``SyncBatchNorm`` refuses CPU tensors when it has peers to
    synchronise with, so the ``SyncBN`` layers of stock mmdet / mmseg
    configs become per-process ``BN`` here (logged). Nothing changes when
    CUDA is available.
    """
    if cfg.launcher != 'pytorch' or torch.cuda.is_available():
        return
    synced = [d for _, d in nested_dicts(cfg.get('model') or {}) if d.get('type') == 'SyncBN']
    for norm in synced:
        norm['type'] = 'BN'
    if synced and int(os.environ.get('RANK', '0')) == 0:
        print(f'[qbheat_mm] CPU distributed run: {len(synced)} SyncBN layer config(s) -> BN '
              '(statistics per process; torch synchronises BN only on GPUs)', flush=True)
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel')
    wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'

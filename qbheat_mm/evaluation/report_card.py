"""A checkpoint's report card: the standard downstream protocols of its backbone, run through
``tools/dist_train.sh`` / ``tools/dist_test.sh``, collected into one markdown / JSON table.

Each protocol is one config of this repository (:data:`PROTOCOLS`, per backbone arch). For a
run, the report card writes a standalone copy of that config into ``WORK/<protocol>/config.py``
with the backbone checkpoint filled in (and the data folders and smoke settings the caller
asked for), trains it, evaluates the last checkpoint with ``--metrics-json`` and reads the
metrics back. ``tools/benchmarks/report_card.py`` is the command line.
"""
import json
import os
import os.path as osp
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

from mmengine.config import Config

from ..datasets.data_root_check import innermost_dataset
from ..utils.config_walk import nested_dicts

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@dataclass(frozen=True)
class Protocol:
    """One downstream protocol.

    Args:
        name: its row in the table.
        config: path relative to the repository.
        data: which data flag feeds it: ``'imagenet'``, ``'coco'``, ``'seg'`` or ``'inat'``.
        metrics: the metric keys the table shows (the JSON keeps every metric).
        adapt: changes the config needs for this arch (e.g. MF-26M's probe widths).
    """
    name: str
    config: str
    data: str
    metrics: Sequence[str]
    adapt: Optional[Callable[[Config], None]] = field(default=None, compare=False)


def _mf26m_linear(cfg: Config) -> None:
    """MF-294M config adapted to MF-26M: arch 26m, BN and head on 96 + 128 inputs"""
    cfg.model.backbone.arch = '26m'
    cfg.model.neck[1].input_features = 96 + 128        # stride-32 map + first token
    cfg.model.head.in_channels = 96 + 128


def _mf26m_transformer(cfg: Config) -> None:
    """MF-294M config adapted to MF-26M: arch 26m, probe on 96 channels + 128-d tokens"""
    cfg.model.backbone.arch = '26m'
    cfg.model.neck.update(in_channels=96, token_dims=128)


TOP1, BOX, MASK, MIOU = ('accuracy/top1', ), ('coco/bbox_mAP', ), ('coco/segm_mAP', ), ('mIoU', )
QB = 'configs/qbheat/benchmarks/mobileformer-294m_'
LEWEL = 'configs/lewel/benchmarks/resnet50_'


def _mobileformer(arch: str) -> List[Protocol]:
    small = arch == '26m'
    return [
        Protocol('linear probe', QB + 'linear-probe_8xb128-coslr-90e_in1k.py', 'imagenet', TOP1,
                 _mf26m_linear if small else None),
        Protocol('transformer probe', QB + 'transformer-probe_8xb128-coslr-100e_in1k.py',
                 'imagenet', TOP1, _mf26m_transformer if small else None),
        Protocol('frozen detection (RetinaNet)',
                 f'configs/mmdet/retinanet_mobileformer-{arch}_fpn_frozen_1x_coco.py', 'coco', BOX),
        Protocol('frozen segmentation (Semantic FPN)',
                 f'configs/mmseg/fpn_mobileformer-{arch}_frozen_4xb4-160k_ade20k-512x512.py',
                 'seg', MIOU),
        Protocol('fine-tuned segmentation (Semantic FPN)',
                 f'configs/mmseg/fpn_mobileformer-{arch}_4xb4-160k_ade20k-512x512.py', 'seg',
                 MIOU),
    ]


#: arch -> its protocols (the methods' papers' protocols for ResNet-50 / ViT-S/16)
PROTOCOLS: Dict[str, List[Protocol]] = {
    'mobileformer-294m': _mobileformer('294m'),
    'mobileformer-26m': _mobileformer('26m'),
    'resnet50': [
        Protocol('linear probe', LEWEL + 'linear-probe_8xb32-steplr-50e_in1k.py', 'imagenet',
                 TOP1),
        Protocol('semi-supervised 1%', LEWEL + 'semi-1pct_8xb32-steplr-50e_in1k.py',
                 'imagenet', TOP1),
        Protocol('semi-supervised 10%', LEWEL + 'semi-10pct_8xb32-steplr-50e_in1k.py',
                 'imagenet', TOP1),
        Protocol('frozen detection (RetinaNet)',
                 'configs/mmdet/retinanet_resnet50_fpn_frozen_1x_coco.py', 'coco', BOX),
        Protocol('fine-tuned detection (Mask R-CNN, LEWEL)',
                 'configs/lewel/mmdet/mask-rcnn_lewel-b-resnet50_fpn-syncbn_1x_coco.py', 'coco',
                 BOX + MASK),
        Protocol('VOC12 aug segmentation (FCN)',
                 'configs/mmseg/fcn_lewel-b-resnet50-d8_4xb4-20k_voc12aug-512x512.py', 'seg',
                 MIOU),
    ],
    'vit-small': [
        Protocol('fine-tuned detection (Mask R-CNN, GTSA)',
                 'configs/gtsa/mmdet/mask-rcnn_gtsa-vit-small-p16_fpn_1x_coco.py', 'coco',
                 BOX + MASK),
        Protocol('ADE20K segmentation (Semantic FPN, GTSA)',
                 'configs/mmseg/fpn_gtsa-vit-small-p16_8xb2-40k_ade20k-512x512.py', 'seg', MIOU),
        Protocol('iNaturalist-2019 fine-tuning (GTSA)',
                 'configs/gtsa/benchmarks/vit-small-p16_8xb128-coslr-300e_inat19.py', 'inat',
                 TOP1),
    ],
}

#: the data flags of the command line, per protocol data kind
DATA_FLAGS = {'imagenet': '--imagenet-data', 'coco': '--coco-data', 'seg': '--seg-data',
              'inat': '--inat-data'}


def slug(name: str) -> str:
    return ''.join(c if c.isalnum() else '_' for c in name.lower()).strip('_').replace('__', '_')


def select(arch: str, names: Optional[Sequence[str]] = None) -> List[Protocol]:
    """The protocols of ``arch``; ``names`` keeps those whose slug starts with one of them
    (e.g. ``linear``, ``frozen_detection``)."""
    if arch not in PROTOCOLS:
        raise ValueError(f'unknown arch {arch!r}; one of {sorted(PROTOCOLS)}')
    chosen = [p for p in PROTOCOLS[arch]
              if not names or any(slug(p.name).startswith(slug(n)) for n in names)]
    if not chosen:
        raise ValueError(f'no protocol of {arch} matches {list(names)}; they are: '
                         f'{[slug(p.name) for p in PROTOCOLS[arch]]}')
    return chosen


def _set_data_root(cfg: Config, root: str) -> None:
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            innermost_dataset(cfg[key]['dataset'])['data_root'] = root


def _smoke(cfg: Config, iters: int, test_images: int) -> None:
    """A seconds-long pass: ``iters`` training iterations of 2 images, no validation, the
    first ``test_images`` test images, detectors keeping boxes of any score."""
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=iters)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', by_epoch=False, interval=iters)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.log_processor = dict(by_epoch=False)
    cfg.train_dataloader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.test_dataloader.update(num_workers=0, persistent_workers=False)
    innermost_dataset(cfg.test_dataloader.dataset)['indices'] = test_images
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    for _, d in nested_dicts(cfg.model):     # a detector this young scores every box low
        if 'score_thr' in d:
            d['score_thr'] = 0.0


def write_config(protocol: Protocol, backbone: str, out: str, data: Dict[str, str],
                 smoke_iters: int = 0, smoke_test_images: int = 2) -> str:
    """Write the standalone config of one protocol run to ``out``; returns ``out``."""
    cfg = Config.fromfile(osp.join(REPO, protocol.config))
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=osp.abspath(backbone),
                                       prefix='backbone.')
    if protocol.adapt:
        protocol.adapt(cfg)
    if protocol.data in ('imagenet', 'inat') and data.get(protocol.data):
        root = osp.abspath(data[protocol.data])
        _set_data_root(cfg, root)
        classes = class_count(root)
        if classes:                       # the head follows the folder (10 for Imagenette)
            for _, d in nested_dicts(cfg.model):
                if isinstance(d.get('num_classes'), int):
                    d['num_classes'] = classes
    if smoke_iters:
        _smoke(cfg, smoke_iters, smoke_test_images)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    cfg.dump(out)
    return out


def class_count(root: str) -> Optional[int]:
    """Classes of an ImageNet-layout folder: its ``train/`` class folders, else the largest
    label of ``meta/train.txt`` + 1; None when neither is there."""
    train = osp.join(root, 'train')
    if osp.isdir(train):
        folders = [d for d in os.listdir(train) if osp.isdir(osp.join(train, d))]
        if folders:
            return len(folders)
    meta = osp.join(root, 'meta', 'train.txt')
    if osp.isfile(meta):
        with open(meta) as f:
            labels = [int(line.split()[-1]) for line in f if line.strip()]
        return max(labels) + 1 if labels else None
    return None


def shown_config(protocol: Protocol, run_dir: str) -> str:
    """What the table names as the config: the one written and run, and where it came from
    (with the arch adaptation when there is one)."""
    written = osp.join(run_dir, 'config.py')
    if protocol.adapt is None:
        return f'{written} (from {protocol.config})'
    return f'{written} (from {protocol.config}; {protocol.adapt.__doc__.strip()})'


def commands(protocol: Protocol, work: str, gpus: int, data: Dict[str, str],
             smoke: bool = False) -> Dict[str, List[str]]:
    """The train and test command lines of one protocol run in ``work``. The test command
    names ``WORK/last_checkpoint``'s content as ``$(cat ...)``; :func:`run_protocol`
    substitutes it."""
    config = osp.join(work, 'config.py')
    flags: List[str] = []
    if protocol.data in ('coco', 'seg') and data.get(protocol.data):
        flags = [DATA_FLAGS[protocol.data], osp.abspath(data[protocol.data])]
    train = ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), config, str(gpus),
             '--work-dir', work, *flags, *(['--no-validate'] if smoke else [])]
    test = ['bash', osp.join(REPO, 'tools', 'dist_test.sh'), config,
            f'$(cat {osp.join(work, "last_checkpoint")})', str(gpus),
            '--work-dir', osp.join(work, 'test'), '--metrics-json',
            osp.join(work, 'metrics.json'), *flags]
    return dict(train=train, test=test)


def shell(command: Sequence[str]) -> str:
    return ' '.join(c if c.startswith('$(') else shlex.quote(c) for c in command)


def check_data(protocol: Protocol, config: str, data: Dict[str, str]) -> Optional[str]:
    """None when the data this protocol's train and test loaders read exist, else why not
    (the data-root check's message, first line, and the flag that fixes it)."""
    import argparse

    from ..datasets import DataRootError, check_data_roots
    from ..utils.launcher import load_config
    args = argparse.Namespace(config=config, cfg_options=None, launcher='none', work_dir=None,
                              local_rank=0, coco_data=None, seg_data=None)
    if protocol.data in ('coco', 'seg'):
        setattr(args, f'{protocol.data}_data', data.get(protocol.data))
    try:
        cfg = load_config(args)
        check_data_roots(cfg, ('train_dataloader', 'test_dataloader'))
    except (DataRootError, SystemExit) as exc:
        whole = ' '.join(str(exc).split())          # the layout lines too: never cut
        return f'no data ({whole}); pass {DATA_FLAGS[protocol.data]} DIR'
    return None


def failure(log: str, what: str, rc: int) -> str:
    """``what failed (exit rc): <the tool's own 'error:' line>; see LOG``."""
    with open(log, errors='replace') as f:
        errors = [line.strip() for line in f if line.startswith('error:')]
    reason = f': {errors[-1][len("error:"):].strip()[:200]}' if errors else ''
    return f'{what} failed (exit {rc}){reason}; see {log}'


def run_protocol(protocol: Protocol, work: str, gpus: int, data: Dict[str, str],
                 smoke: bool, env: Optional[dict] = None) -> dict:
    """Train and test one protocol (its config already in ``work``); returns its row."""
    row = dict(protocol=protocol.name, config=protocol.config, metrics={}, status='ok',
               work_dir=work)
    cmds = commands(protocol, work, gpus, data, smoke)
    for stale in ('last_checkpoint', 'metrics.json'):   # an earlier card's run in this folder
        if osp.isfile(osp.join(work, stale)):
            os.remove(osp.join(work, stale))
    start = time.time()
    with open(osp.join(work, 'train.log'), 'w') as log:
        rc = subprocess.call(cmds['train'], stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                             env=env)
    last = osp.join(work, 'last_checkpoint')
    if rc != 0 or not osp.isfile(last):
        row['status'] = failure(osp.join(work, 'train.log'), 'training', rc)
        return row
    with open(last) as f:
        checkpoint = f.read().strip()
    test = [checkpoint if c.startswith('$(') else c for c in cmds['test']]
    with open(osp.join(work, 'test.log'), 'w') as log:
        rc = subprocess.call(test, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=env)
    metrics = osp.join(work, 'metrics.json')
    if rc != 0 or not osp.isfile(metrics):
        row['status'] = failure(osp.join(work, 'test.log'), 'evaluation', rc)
        return row
    with open(metrics) as f:
        row['metrics'] = json.load(f)
    row['seconds'] = round(time.time() - start, 1)
    return row


def markdown(card: dict) -> str:
    """The report card as a markdown table."""
    lines = [f"# Report card: {card['checkpoint']}", '',
             f"arch {card['arch']}, {card['gpus']} GPU(s)"
             + (f", smoke run ({card['smoke_iters']} iterations per protocol: wiring only, "
                'not a score)' if card['smoke_iters'] else ''), '',
             '| protocol | metric | value | status | config |', '|---|---|---|---|---|']
    for row in card['rows']:
        shown = [(k, row['metrics'].get(k)) for k in row['keys']] or [('', None)]
        for key, value in shown:
            text = '' if value is None else f'{value:.2f}'
            lines.append(f"| {row['protocol']} | {key} | {text} | {row['status']} | "
                         f"`{row['config']}` |")
    return '\n'.join(lines) + '\n'

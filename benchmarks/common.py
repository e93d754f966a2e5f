"""Shared helpers of the benchmark scripts: models on one backbone, timing, tables."""
import os
import os.path as osp
import platform
import statistics
import sys
import time
from datetime import date
from typing import Callable, Dict, List, Optional, Sequence

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

import torch  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import qbheat_mm  # noqa: E402,F401
from qbheat_mm.models import MobileFormer  # noqa: E402

MEAN = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)


def backbone_cfg(arch: str):
    """(backbone config, channels of its stride-32 map): ``'resnet50'`` is mmpretrain's
    ResNet-50 (plain BN), anything else a Mobile-Former arch."""
    if arch == 'resnet50':
        return dict(type='ResNet', depth=50, out_indices=(3, ), zero_init_residual=False), 2048
    return (dict(type='MobileFormer', arch=arch, out_indices=(4, )),
            MobileFormer.get_arch(arch)['blocks'][-1][2])


def preprocessor() -> dict:
    return dict(type='SelfSupDataPreprocessor', mean=MEAN.flatten().tolist(),
                std=STD.flatten().tolist(), to_rgb=True)


def qbheat_cfg(arch: str, encoder_input: str = 'quarter') -> dict:
    """The demo QB-Heat model (light transformer decoder) on ``backbone_cfg(arch)``."""
    backbone, channels = backbone_cfg(arch)
    return dict(
        type='QBHeat', feature_stride=32, encoder_input=encoder_input,
        data_preprocessor=preprocessor(), backbone=backbone,
        # the pretraining configs' logger interval: the heat diagnostics (two C x C
        # eigen-decompositions) run on 1 step in 100, as in training (train_step counts steps)
        neck=dict(type='HeatExtrapolationNeck', in_channels=channels, diagnostics_interval=100),
        head=dict(type='QBHeatHead', patch_size=32,
                  decoder=dict(type='QBHeatTransformerDecoder', in_channels=channels,
                               embed_dims=128, depth=2, num_heads=4)))


def mocov2_cfg(arch: str, queue_len: int = 4096) -> dict:
    """Stock mmpretrain MoCo-v2 (MoCo, MoCoV2Neck, ContrastiveHead) on ``backbone_cfg(arch)``."""
    backbone, channels = backbone_cfg(arch)
    return dict(
        type='MoCo', queue_len=queue_len, feat_dim=128, momentum=0.001,
        data_preprocessor=preprocessor(), backbone=backbone,
        neck=dict(type='MoCoV2Neck', in_channels=channels, hid_channels=2048,
                  out_channels=128, with_avg_pool=True),
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                  temperature=0.2))


def spark_cfg(size: int) -> dict:
    """Stock mmpretrain SparK on its SparseResNet-50 with its own light decoder and loss (the
    800-epoch config's model), for ``size`` x ``size`` inputs; its sparse SyncBN becomes the
    plain sparse BN so that it runs in one process."""
    norm = dict(type='SparseBatchNorm2d')
    return dict(
        type='SparK', input_size=size, downsample_raito=32, mask_ratio=0.6,
        data_preprocessor=preprocessor(), enc_dec_norm_cfg=norm, enc_dec_norm_dim=2048,
        backbone=dict(type='SparseResNet', depth=50, out_indices=(0, 1, 2, 3),
                      drop_path_rate=0.05, norm_cfg=norm),
        neck=dict(type='SparKLightDecoder', feature_dim=512, upsample_ratio=32,
                  mid_channels=0, last_act=False, norm_cfg=norm),
        head=dict(type='SparKPretrainHead',
                  loss=dict(type='PixelReconstructionLoss', criterion='L2')))


def lewel_cfg(arch: str) -> dict:
    """LEWEL_B (BYOL target, as the CPU demo) on ``backbone_cfg(arch)``, the demo's slim heads."""
    backbone, channels = backbone_cfg(arch)
    dims = 64 if channels < 128 else 128
    return dict(
        type='LEWEL', base_momentum=0.004, eman=False, data_preprocessor=preprocessor(),
        backbone=backbone,
        neck=dict(type='LEWELNeck', in_channels=channels, hid_channels=8 * dims,
                  out_channels=dims, num_heads=4, norm_cfg=dict(type='BN1d')),
        head=dict(type='LEWELHead', in_channels=dims, hid_channels=8 * dims,
                  norm_cfg=dict(type='BN1d')))


def bagssl_cfg(arch: str) -> dict:
    """BagSSL (intra-instance VICReg, expander 512-512-512 as the CPU demo) on
    ``backbone_cfg(arch)``."""
    backbone, channels = backbone_cfg(arch)
    return dict(
        type='BagSSL', data_preprocessor=preprocessor(), backbone=backbone,
        neck=dict(type='NonLinearNeck', in_channels=channels, hid_channels=512,
                  out_channels=512, num_layers=3, with_bias=True, with_last_bn=False,
                  with_last_bias=True, with_avg_pool=True, norm_cfg=dict(type='BN1d')),
        head=dict(type='VICRegHead'))


def vicreg_cfg(arch: str) -> dict:
    """VICReg (two views; BagSSL's machinery at n = 2, expander 512-512-512) on
    ``backbone_cfg(arch)``."""
    return dict(bagssl_cfg(arch), type='VICReg')


def gtsa_geometry(size: int) -> dict:
    """GTSA's RoI sizes and matches for 2 global crops of ``size`` and locals of half the side
    at stride 16, scaled from the official 14 x 14 / 6 x 6 maps (roi 10 / 4, k = half of the
    student positions): roi = 5/7 and 2/3 of the map side."""
    big, small = size // 16, size // 32
    return dict(roi_sizes=(max(1, 5 * big // 7), max(1, 2 * small // 3)),
                topk=(big * big // 2, max(1, small * small // 2)),
                large_positions=small * small)


def gtsa_cfg(arch: str, size: int = 128) -> dict:
    """GTSA as the MF demo (stride-16 map, depthwise projector/predictor of width 128, the
    correspondence loss after 20 steps) on ``backbone_cfg(arch)`` with its stride-16 stage."""
    backbone, channels = backbone_cfg(arch)
    if arch == 'resnet50':
        backbone, dense = dict(backbone, out_indices=(2, 3)), 1024
    else:
        backbone = dict(backbone, out_indices=(3, 4))
        dense = MobileFormer.get_arch(arch)['blocks'][
            max(i for i, b in enumerate(MobileFormer.get_arch(arch)['blocks'])
                if b[3] == 2) - 1][2]
    width = 128 if channels < 128 else 256
    return dict(
        type='GTSA', data_preprocessor=preprocessor(), backbone=backbone, pc_warmup_iters=20,
        neck=dict(type='GTSAProjector', in_channels=dense, hid_channels=width,
                  out_channels=width, depthwise=True),
        predictor=dict(type='GTSAPredictor', in_channels=width, hid_channels=width,
                       out_channels=width, depthwise=True),
        head=dict(type='GTSAHead', **gtsa_geometry(size)),
        rotation_head=dict(type='GTSARotationHead', hid_channels=width,
                           bottleneck_channels=64))


def supervised_cfg(arch: str, num_classes: int) -> dict:
    """Supervised ceiling: ``backbone_cfg(arch)`` + GAP + linear classifier, cross-entropy."""
    backbone, channels = backbone_cfg(arch)
    return dict(
        type='ImageClassifier', backbone=backbone, neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=num_classes, in_channels=channels,
                  loss=dict(type='CrossEntropyLoss')),
        data_preprocessor=dict(type='ClsDataPreprocessor', mean=MEAN.flatten().tolist(),
                               std=STD.flatten().tolist(), to_rgb=True,
                               num_classes=num_classes))


def lars(model, lr: float, weight_decay: float = 1.5e-6):
    """mmpretrain's LARS as LEWEL uses it: 1-D parameters (norms, biases) excluded from
    weight decay and LARS scaling. Unlike the demo configs, Mobile-Former's (2-D) token
    table is not excluded here."""
    from mmpretrain.engine.optimizers import LARS
    params = [p for p in model.parameters() if p.requires_grad]
    return LARS([dict(params=[p for p in params if p.dim() > 1]),
                 dict(params=[p for p in params if p.dim() <= 1], weight_decay=0.,
                      lars_exclude=True)], lr=lr, momentum=0.9, weight_decay=weight_decay)


def build(cfg: dict, device: str = 'cpu'):
    """Build and initialise a model. Outside a runner no ``max_iters`` is known (wall-clock
    budgets), so EMA targets (LEWEL's CosineEMA) keep their base momentum: max_iters is set
    far beyond any run here unless something set it already."""
    from mmengine.logging import MessageHub
    from mmpretrain.registry import MODELS
    hub = MessageHub.get_current_instance()
    if hub.get_info('max_iters') is None:
        hub.update_info('max_iters', 10**9)
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg)
    model.init_weights()
    return model.to(device).train()


def train_step(model, optimizer, inputs, data_samples=None, scaler=None) -> float:
    """One full step (forward, backward, optimizer); returns the summed loss. Like mmengine's
    runner it publishes the iteration in the MessageHub ('iter', counted per process), which
    components that act on logged iterations only (QB-Heat's diagnostics) read."""
    from mmengine.logging import MessageHub
    hub = MessageHub.get_current_instance()
    last = hub.get_info('iter')
    hub.update_info('iter', 0 if last is None else last + 1)
    with torch.autocast(inputs[0].device.type if isinstance(inputs, list) else
                        inputs.device.type, enabled=scaler is not None):
        losses = model(inputs, data_samples, mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
    optimizer.zero_grad(set_to_none=True)
    if scaler is not None:
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    else:
        loss.backward()
        optimizer.step()
    return float(loss.detach())


def synchronize(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def median_time(fn: Callable[[], None], reps: int, device: str, warmup: int = 1) -> float:
    """Median seconds of ``fn`` over ``reps`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_times(jobs: Dict[str, Callable[[], None]], reps: int, device: str,
                      describe: Optional[Callable[[Dict[str, List[float]]], str]] = None
                      ) -> Dict[str, List[float]]:
    """Seconds of each job per rep, run interleaved after one warm-up call of each, in
    alternating order (rep 1: A B C, rep 2: C B A, ...), so drift of a shared machine and
    the position within a rep hit every job alike. Prints one progress line per rep to
    stderr, extended by ``describe(times)``."""
    times: Dict[str, List[float]] = {name: [] for name in jobs}
    for fn in jobs.values():
        fn()
    names = list(jobs)
    for rep in range(reps):
        for name in (names if rep % 2 == 0 else names[::-1]):
            synchronize(device)
            start = time.perf_counter()
            jobs[name]()
            synchronize(device)
            times[name].append(time.perf_counter() - start)
        print(f'rep {rep + 1}/{reps}' + (f': {describe(times)}' if describe else ''),
              file=sys.stderr)
    return times


def hardware(device: str) -> str:
    if device.startswith('cuda'):
        return f'{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})'
    return (f'{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, '
            f'{torch.get_num_threads()} torch threads')


def markdown_table(header: Sequence[str], rows: List[Sequence]) -> str:
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


def report(title: str, table: str, settings: Dict[str, object], out: str, device: str) -> str:
    """Print the table with its settings and write it to ``out`` (markdown)."""
    text = (f'### {title}\n\n{date.today().isoformat()}, {hardware(device)}, torch '
            f'{torch.__version__}\n\nsettings: ' +
            ', '.join(f'{k}={v}' for k, v in settings.items()) + f'\n\n{table}\n')
    print(text)
    if out:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        with open(out, 'w') as f:
            f.write(text)
        print(f'written to {out}')
    return text

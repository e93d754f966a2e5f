"""Images/s per data-worker core of each method's training pipeline, and how many worker cores
keep a training step fed.

    python benchmarks/data_throughput.py [--images 48] [--reps 3] [--methods ...]
        [--step-rate qbheat=2400 mocov2=900 ...]      # a GPU's step rates (img/s), if known

Each method's ImageNet (GTSA: COCO) train pipeline, exactly as its config builds it, runs in this
one process on one core (torch, OpenCV and OMP threads 1) on two image sets, interleaved over
--reps: COCO-size JPEGs (../shared/data/coco128/train2017, 640 x 480 class) and the 224 x 224
Imagenette files. Every transform is timed and counted as decode (LoadImageFromFile),
geometry (crops, resizes, flips, GTSA's box sampling and cropping), colour (jitter, grey, blur, solarize) or
other (packing, formatting, wrappers); DecodeCropResize, which decodes and crops in one call,
counts as decode. ``qbheat+draft`` and ``supervised+draft`` are the same pipelines with the
CPU-path change (LoadImageBytes + RandomResizedCropBox + DecodeCropResize(draft=True)), timed in
the same run as the originals. Nested pipelines (MultiView, GTSAMultiCrop's colour
pipelines) count where their transforms belong, each second once. Cores per trainer (a GPU, or a CPU
process) = step rate / images per core-second; the step rates
are --step-rate values (img/s of a training step on the accelerator, e.g. from
benchmarks/pretrain_throughput.py --device cuda), or else only the per-core rates are printed.
"""
import argparse
import glob
import os
import os.path as osp
import statistics
import time
from collections import defaultdict
from typing import Dict, List

from common import REPO, markdown_table, report

import cv2  # noqa: E402
import torch  # noqa: E402

CONFIGS = {
    'qbheat': 'configs/qbheat/mobileformer_in1k.py',
    'mocov2': 'configs/mocov2/mocov2_mobileformer-294m_8xb32-coslr-200e_in1k.py',
    'lewel': 'configs/lewel/lewel-b_mobileformer-294m_8xb128-coslr-200e_in1k.py',
    'bagssl': 'configs/bagssl/bagssl-p64n16_mobileformer-294m_8xb64-lars-coslr-100e_in1k.py',
    'vicreg': 'configs/vicreg/vicreg_mobileformer-294m_8xb256-lars-coslr-100e_in1k.py',
    'gtsa': 'configs/gtsa/gtsa_mobileformer-294m_8xb64-coslr-100e_coco.py',
    'supervised': 'configs/mobileformer/mobileformer-294m_8xb128_in1k.py',
}
# the same pipelines with the crop decoded in one step (DecodeCropResize), JPEGs at 1/2-1/8 scale
# in the DCT domain where the crop shrinks >= 2x even so: the CPU-path change, before/after
FAST = {'qbheat+draft': 'qbheat', 'supervised+draft': 'supervised'}
SETS = {
    'COCO 640x480': osp.join(REPO, '..', 'shared', 'data', 'coco128', 'train2017', '*.jpg'),
    'Imagenette 224': osp.join(REPO, '..', 'shared', 'data', 'imagenette', 'train', '*',
                               '*.JPEG'),
}
DECODE = ('LoadImageFromFile', 'LoadImageOrSkip', 'LoadImageBytes', 'DecodeCropResize')
GEOMETRY = ('RandomResizedCrop', 'Resize', 'ResizeEdge', 'CenterCrop', 'RandomFlip',
            'RandomCrop', 'GTSAMultiCrop', 'RandomPatchCrop', 'RandomResizedCropAndInterpolationWithTwoPic')
COLOUR = ('ColorJitter', 'HueSafeColorJitter', 'RandomGrayscale', 'GaussianBlur', 'Solarize',
          'RandomApply', 'RandomSolarize')


def category(name: str) -> str:
    if name in DECODE:
        return 'decode'
    if name in GEOMETRY:
        return 'geometry'
    if name in COLOUR:
        return 'colour'
    return 'other'


def draft_pipeline(steps: List[dict]) -> List[dict]:
    """``steps`` with LoadImageFromFile + RandomResizedCrop replaced by LoadImageBytes +
    RandomResizedCropBox (same arguments, same random draws) + DecodeCropResize(draft=True)."""
    out = []
    for step in steps:
        kind = step['type']
        if kind == 'LoadImageFromFile':
            out.append(dict(type='LoadImageBytes'))
        elif kind == 'RandomResizedCrop':
            out += [dict(step, type='RandomResizedCropBox'),
                    dict(type='DecodeCropResize', draft=True)]
        else:
            out.append(step)
    return out


def timed_pipeline(config: str, totals: Dict[str, float], draft: bool = False):
    """The config's train pipeline (mmpretrain ``Compose``) with every leaf transform's
    ``transform`` wrapped to add its seconds to ``totals[category]``."""
    from mmengine.config import Config
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope

    from qbheat_mm.datasets import innermost_dataset
    cfg = Config.fromfile(osp.join(REPO, config))
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    dataset = innermost_dataset(cfg.train_dataloader.dataset)
    pipeline = Compose(draft_pipeline(dataset.pipeline) if draft else dataset.pipeline)

    stack: List[float] = []      # child seconds of the transforms running now

    def wrap(transform):
        for attr in ('transforms', 'pipelines', 'global_pipeline', 'local_pipeline'):
            for child in _flatten(getattr(transform, attr, None)):
                wrap(child)
        if not hasattr(transform, 'transform'):
            return
        kind, inner = category(type(transform).__name__), transform.transform

        def run(results, _inner=inner, _kind=kind):
            stack.append(0.)
            start = time.perf_counter()
            out = _inner(results)
            elapsed = time.perf_counter() - start
            totals[_kind] += elapsed - stack.pop()      # exclusive of nested transforms
            if stack:
                stack[-1] += elapsed
            return out
        transform.transform = run
    for t in pipeline.transforms:
        wrap(t)
    return pipeline


def _flatten(value) -> List:
    if value is None:
        return []
    if hasattr(value, 'transforms') and not hasattr(value, 'transform'):
        return _flatten(list(value.transforms))       # a Compose
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out += _flatten(v)
        return out
    return [value]


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--images', type=int, default=48, help='images per set and rep')
    parser.add_argument('--reps', type=int, default=3)
    parser.add_argument('--methods', nargs='+', default=list(CONFIGS) + list(FAST),
                        choices=list(CONFIGS) + list(FAST))
    parser.add_argument('--step-rate', nargs='*', default=[], metavar='METHOD=IMG_PER_S',
                        help='training-step rate per GPU, for the cores-per-GPU column')
    parser.add_argument('--out', default=osp.join(REPO, 'benchmarks', 'results',
                                                  'data_throughput.md'))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    os.environ['OMP_NUM_THREADS'] = '1'
    step_rates = dict((k, float(v)) for k, v in (s.split('=') for s in args.step_rate))
    files = {}
    for name, pattern in SETS.items():
        found = sorted(glob.glob(pattern))[:args.images]
        if not found:
            raise SystemExit(f'no images at {pattern}; the benchmark reads ../shared/data')
        files[name] = found
    totals = {(m, s): defaultdict(float) for m in args.methods for s in SETS}
    pipelines = {(m, s): timed_pipeline(CONFIGS[FAST.get(m, m)], totals[m, s], m in FAST)
                 for m in args.methods for s in SETS}
    seconds = {key: [] for key in pipelines}
    for rep in range(args.reps):
        order = list(pipelines) if rep % 2 == 0 else list(pipelines)[::-1]
        for key in order:
            start = time.perf_counter()
            for path in files[key[1]]:
                pipelines[key](dict(img_path=path, sample_idx=0, gt_label=0))
            seconds[key].append(time.perf_counter() - start)
        print(f'rep {rep + 1}/{args.reps} done', flush=True)
    rows = []
    for (method, images), times in seconds.items():
        rate = args.images / statistics.median(times)
        spent = totals[method, images]
        whole = sum(spent.values()) or 1.
        share = ' / '.join(f"{100 * spent[k] / whole:.0f}" for k in
                           ('decode', 'geometry', 'colour', 'other'))
        step = step_rates.get(method, step_rates.get(FAST.get(method, '')))
        cores = f'{step / rate:.2f}' if step else '—'
        rows.append([method, images, f'{rate:.0f}', share, cores])
    table = markdown_table(['method', 'images', 'img/s per core',
                            'decode / geometry / colour / other (%)', 'cores per trainer'], rows)
    return report('Data-pipeline throughput per worker core', table,
                  dict(images=args.images, reps=args.reps, step_rates=step_rates or 'none'),
                  args.out, 'cpu')


if __name__ == '__main__':
    main()

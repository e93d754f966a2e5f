"""Pretraining cost: images/s of a full training step and peak memory, on one backbone.

    python benchmarks/pretrain_throughput.py                  # CPU, MF-26M, demo size 192
    python benchmarks/pretrain_throughput.py --arch 294m --batch 256 --size 256 \
        --device cuda --amp
    python benchmarks/pretrain_throughput.py --arch resnet50 --batch 8 --size 256   # CNN MIM

Methods, run interleaved (rep 1: A B C, rep 2: A B C, ...), medians over reps:
- qbheat:   QB-Heat (encoder on the visible quarter, heat extrapolation, light decoder)
- mocov2:   stock mmpretrain MoCo-v2 (two full views, momentum encoder, queue)
- full_mim: ablation, encoder on the whole image with three quarters zeroed, same decoder/loss
- lewel:    LEWEL_B (two full views, online + EMA target backbone and LEWEL neck, predictors)
- bagssl:   BagSSL (8 patches of half the image side per image, one backbone call, expander,
            VICReg loss): the same pixels per image as the two-view methods
- gtsa:     GTSA (2 global crops of the image size + 4 local crops of half the side, i.e. 3
            views' pixels; student on all 6 crops, EMA teacher on the 2 globals, stride-16
            projector/predictor, RoI crop + correspondence + rotation losses)
- vicreg:   VICReg (two full views, expander, VICReg loss)
- supervised: cross-entropy on labels (one view, GAP + linear head): the cost floor
With --arch resnet50 (mmpretrain's ResNet-50) the methods are the CNN masked-image-modeling set:
- qbheat, full_mim and mocov2 as above on ResNet-50, and
- spark:    stock mmpretrain SparK (SparseResNet-50, its light decoder and loss, mask ratio
            0.6; its sparse SyncBN swapped for the plain sparse BN in one process)
Every method steps the same AdamW implementation: fused (torch >= 2.4, CPU and CUDA) unless
--unfused. Where the time of a step goes: pretrain_breakdown.py.
Peak memory: CUDA max allocated; on CPU, in a fresh child process per method, the peak growth of
the resident set (sampled every 2 ms from /proc/self/statm) while building the model and
running two steps, so the import-time peak that every method shares does not hide it.
"""
import argparse
import multiprocessing as mp
import os.path as osp
import resource
import statistics
import threading
import time

from common import (bagssl_cfg, build, gtsa_cfg, interleaved_times, lewel_cfg, markdown_table,
                    mocov2_cfg, qbheat_cfg, report, spark_cfg, supervised_cfg, train_step,
                    vicreg_cfg)

import torch  # noqa: E402

METHODS = ('qbheat', 'mocov2', 'full_mim', 'lewel', 'gtsa', 'bagssl', 'vicreg', 'supervised')
CNN_METHODS = ('qbheat', 'spark', 'mocov2', 'full_mim')  # --arch resnet50
BAG = 8  # BagSSL patches per image, each of half the image side: as many pixels as 2 views
TWO_VIEWS = ('mocov2', 'lewel', 'vicreg')
GTSA_LOCALS = 4  # GTSA local crops of half the side (its MF recipe: 2 x 224 + 4 x 128)


def make(method: str, arch: str, device: str, fused: bool = True, size: int = 256):
    """Model and AdamW (fused kernel unless ``fused=False``; the same for every method)."""
    cfg = {'qbheat': lambda: qbheat_cfg(arch), 'mocov2': lambda: mocov2_cfg(arch),
           'spark': lambda: spark_cfg(size),
           'full_mim': lambda: qbheat_cfg(arch, 'masked_full'),
           'lewel': lambda: lewel_cfg(arch), 'bagssl': lambda: bagssl_cfg(arch),
           'gtsa': lambda: gtsa_cfg(arch, size), 'vicreg': lambda: vicreg_cfg(arch),
           'supervised': lambda: supervised_cfg(arch, 1000)}[method]()
    model = build(cfg, device)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=1e-4, **(dict(fused=True) if fused else {}))
    return model, optim


def batch(method: str, size: int, n: int, device: str):
    """Normalised inputs as the data preprocessor would give them."""
    def view():
        return torch.randn(n, 3, size, size, device=device)
    from mmpretrain.structures import DataSample
    if method == 'bagssl':
        return [torch.randn(n, 3, size // 2, size // 2, device=device) for _ in range(BAG)], None
    if method == 'gtsa':
        import numpy as np

        from qbheat_mm.datasets import GTSAMultiCrop
        crop = GTSAMultiCrop(num_local=GTSA_LOCALS, global_size=size, local_size=size // 2,
                             global_transforms=[])
        samples = []
        for _ in range(n):
            out = crop(dict(img=np.zeros((size * 3 // 2, size * 3 // 2, 3), np.uint8)))
            sample = DataSample()
            for key in ('gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot'):
                sample.set_field(out[key], key)
            samples.append(sample)
        views = [view(), view()] + [torch.randn(n, 3, size // 2, size // 2, device=device)
                                    for _ in range(GTSA_LOCALS)]
        return views, samples
    if method == 'supervised':
        return view(), [DataSample().set_gt_label(i % 1000) for i in range(n)]
    if method in TWO_VIEWS:
        return [view(), view()], [DataSample() for _ in range(n)]
    return view(), None


def _rss_mib() -> float:
    """Current resident set size of this process (Linux /proc/self/statm)."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _memory_child(method, arch, size, n, steps, fused, queue):
    """Peak RSS growth while building ``method`` and running ``steps`` training steps,
    sampled every 2 ms (the import-time peak, shared by all methods, is excluded)."""
    base, peak, running = _rss_mib(), [0.0], [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], _rss_mib())
            time.sleep(0.002)
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    model, optim = make(method, arch, 'cpu', fused, size)
    inputs, samples = batch(method, size, n, 'cpu')
    for _ in range(steps):
        train_step(model, optim, inputs, samples)
    running[0] = False
    thread.join()
    queue.put(max(peak[0], _rss_mib()) - base)


def peak_memory_mb(method, args) -> float:
    if args.device.startswith('cuda'):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        model, optim = make(method, args.arch, args.device, not args.unfused, args.size)
        inputs, samples = batch(method, args.size, args.batch, args.device)
        scaler = torch.amp.GradScaler('cuda') if args.amp else None
        for _ in range(2):
            train_step(model, optim, inputs, samples, scaler)
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() / 2**20
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    proc = ctx.Process(target=_memory_child,
                       args=(method, args.arch, args.size, args.batch, 2, not args.unfused,
                             queue))
    proc.start()
    value = queue.get(timeout=1800)
    proc.join()
    return value


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--arch', default='26m',
                        help="a Mobile-Former arch, or 'resnet50' for the CNN MIM setting")
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--size', type=int, default=192, help='image side (divisible by 64)')
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--steps', type=int, default=3, help='training steps per rep')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--unfused', action='store_true',
                        help='for-loop AdamW instead of the fused kernel (for every method)')
    parser.add_argument('--no-memory', action='store_true', help='skip the peak-memory runs')
    parser.add_argument('--out', default='benchmarks/results/pretrain_throughput.md')
    parser.add_argument('--png', default=None,
                        help='images/s vs peak memory picture (default: --out with .png)')
    args = parser.parse_args(argv)
    if args.amp and not args.device.startswith('cuda'):
        raise SystemExit('--amp needs --device cuda')
    torch.manual_seed(0)
    methods = CNN_METHODS if args.arch == 'resnet50' else METHODS
    state = {m: make(m, args.arch, args.device, not args.unfused, args.size) +
             batch(m, args.size, args.batch, args.device) for m in methods}
    scaler = {m: torch.amp.GradScaler('cuda') if args.amp else None for m in methods}

    def job(m):
        def run():
            model, optim, inputs, samples = state[m]
            for _ in range(args.steps):
                train_step(model, optim, inputs, samples, scaler[m])
        return run

    def describe(times):
        return ', '.join(f'{m} {args.batch * args.steps / t[-1]:.1f} img/s'
                         for m, t in times.items())
    times = interleaved_times({m: job(m) for m in methods}, args.reps, args.device, describe)
    rates = {m: [args.batch * args.steps / t for t in times[m]] for m in methods}
    state.clear()  # free the models before the peak-memory runs
    med = {m: statistics.median(rates[m]) for m in methods}
    memory = {m: (None if args.no_memory else peak_memory_mb(m, args)) for m in methods}
    rows = []
    for m in methods:
        mem = '-' if memory[m] is None else f'{memory[m]:.0f} MiB'
        rows.append([m, f'{med[m]:.1f}', f'{min(rates[m]):.1f}-{max(rates[m]):.1f}',
                     f'{med["qbheat"] / med[m]:.2f}x', mem])
    table = markdown_table(['method', 'images/s (median)', 'range', 'QB-Heat speed-up',
                            'peak memory' + (' (allocated)' if args.device != 'cpu' else
                                             ' (peak RSS growth)')], rows)
    if args.out and not args.no_memory:
        from plots import scatter
        scatter({m: (memory[m], med[m]) for m in methods},
                args.png or osp.splitext(args.out)[0] + '.png',
                'peak memory (MiB' + (', allocated)' if args.device != 'cpu' else
                                      ', peak RSS growth)'), 'images/s (median)',
                f'Pretraining cost: {args.arch}, {args.size} px, batch {args.batch}, '
                f'{args.device}' + (' AMP' if args.amp else ''))
    return report('Pretraining throughput (full training step)', table,
                  dict(arch=args.arch, batch=args.batch, size=args.size, reps=args.reps,
                       steps=args.steps, device=args.device, amp=args.amp,
                       optimizer='AdamW (' + ('for-loop' if args.unfused else 'fused') + ')'),
                  args.out,
                  args.device)


if __name__ == '__main__':
    main()

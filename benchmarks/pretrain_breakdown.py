"""Where a pretraining step's time goes, and the speed-up ceiling that follows from it.

    python benchmarks/pretrain_breakdown.py                   # CPU, MF-26M, demo size 192
    python benchmarks/pretrain_breakdown.py --arch 294m --size 256

Times (medians of interleaved reps) of the parts that `pretrain_throughput.py` combines:
the encoder's forward+backward on the visible quarter (QB-Heat) and on the full image (MoCo-v2's
query view, the full-image ablation), its no-grad forward on the full image (MoCo-v2's momentum
encoder on the key view), QB-Heat's neck + decoder + loss, and the AdamW step (for-loop and fused
implementations). The ratio rows leave out the optimizer step (the same for every method) and,
against MoCo-v2, QB-Heat's decoder and loss as well as MoCo-v2's projection neck, momentum update
and queue (a few ms on MF-26M): they bound the speed-up a full step can show.
"""
import argparse
import statistics

from common import build, interleaved_times, markdown_table, qbheat_cfg, report

import torch  # noqa: E402


def parts(model, size: int, n: int, device: str) -> dict:
    """name -> zero-argument callable running that part once."""
    x = torch.randn(n, 3, size, size, device=device)
    half = size // 2
    backbone = model.backbone
    with torch.no_grad():
        visible = model.backbone(x[..., :half, :half])[-1]

    def encoder_fb(inputs):
        def run():
            backbone(inputs)[-1].sum().backward()
        return run

    def encoder_nograd():
        with torch.no_grad():
            backbone(x)

    def neck_decoder_loss():
        feats = visible.detach().requires_grad_()
        model.head.loss(model.neck(feats), x).backward()

    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.grad = torch.zeros_like(p)
    loop = torch.optim.AdamW(params, lr=1e-4, foreach=False)
    fused = torch.optim.AdamW(params, lr=1e-4, fused=True)
    return {'encoder fwd+bwd, visible quarter': encoder_fb(x[..., :half, :half]),
            'encoder fwd+bwd, full image': encoder_fb(x),
            'encoder forward (no grad), full image': encoder_nograd,
            'neck + decoder + loss fwd+bwd': neck_decoder_loss,
            'AdamW step (for-loop)': loop.step,
            'AdamW step (fused)': fused.step}


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--arch', default='26m')
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--size', type=int, default=192, help='image side (divisible by 64)')
    parser.add_argument('--reps', type=int, default=9)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', default='benchmarks/results/pretrain_breakdown.md')
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    model = build(qbheat_cfg(args.arch), args.device)
    jobs = parts(model, args.size, args.batch, args.device)
    times = {name: [1000 * t for t in ts]
             for name, ts in interleaved_times(jobs, args.reps, args.device).items()}
    ms = {name: statistics.median(t) for name, t in times.items()}
    rows = [[name, f'{ms[name]:.1f}', f'{min(times[name]):.1f}-{max(times[name]):.1f}']
            for name in jobs]
    quarter = ms['encoder fwd+bwd, visible quarter']
    full = ms['encoder fwd+bwd, full image']
    key = ms['encoder forward (no grad), full image']
    head = ms['neck + decoder + loss fwd+bwd']
    rows += [['encoder-only ratio vs MoCo-v2: (full fwd+bwd + full no-grad fwd) / quarter fwd+bwd',
              f'{(full + key) / quarter:.2f}x', '-'],
             ['ratio vs full-image ablation, no optimizer: (full + decoder) / (quarter + decoder)',
              f'{(full + head) / (quarter + head):.2f}x', '-'],
             ['encoder cost ratio full / quarter (4.00x if cost were per pixel)',
              f'{full / quarter:.2f}x', '-']]
    table = markdown_table(['part', 'ms (median)', 'range'], rows)
    return report('Pretraining step breakdown (parts of a step and the speed-up they allow)', table,
                  dict(arch=args.arch, batch=args.batch, size=args.size, reps=args.reps,
                       device=args.device), args.out, args.device)


if __name__ == '__main__':
    main()

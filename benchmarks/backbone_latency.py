"""Params, MAdds and latency of the seven Mobile-Former classifiers beside mmpretrain's
MobileNetV2, MobileNetV3 small/large and ResNet-18/50 (all with 1000-class heads, 224x224).

    python benchmarks/backbone_latency.py                       # CPU, batch 1 and 32
    python benchmarks/backbone_latency.py --device cuda --amp --batch-sizes 1 256
"""
import argparse

from common import markdown_table, median_time, report

import torch  # noqa: E402
from torch import nn  # noqa: E402

from qbheat_mm.analysis import MobileFormerClassifier, count_madds  # noqa: E402
from qbheat_mm.models import MobileFormer  # noqa: E402

MMPRETRAIN = {
    'MobileNetV2': 'mobilenet-v2_8xb32_in1k',
    'MobileNetV3-S': 'mobilenet-v3-small_8xb128_in1k',
    'MobileNetV3-L': 'mobilenet-v3-large_8xb128_in1k',
    'ResNet-18': 'resnet18_8xb32_in1k',
    'ResNet-50': 'resnet50_8xb32_in1k',
}


class Logits(nn.Module):
    """mmpretrain ImageClassifier -> logits."""

    def __init__(self, model) -> None:
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x, mode='tensor')


def models(names):
    from mmpretrain import get_model
    for name in names:
        if name.startswith('MF-'):
            yield name, MobileFormerClassifier(name[3:].lower())
        else:
            yield name, Logits(get_model(MMPRETRAIN[name], pretrained=False))


def main(argv=None) -> str:
    every = [f'MF-{a.upper()}' for a in MobileFormer.arch_zoo] + list(MMPRETRAIN)
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--models', nargs='+', default=every, choices=every)
    parser.add_argument('--batch-sizes', nargs='+', type=int, default=[1, 32])
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--amp', action='store_true', help='float16 autocast (CUDA)')
    parser.add_argument('--out', default='benchmarks/results/backbone_latency.md')
    args = parser.parse_args(argv)
    if args.amp and not args.device.startswith('cuda'):
        raise SystemExit('--amp needs --device cuda')
    rows = []
    for name, model in models(args.models):
        model = model.eval()
        params = sum(p.numel() for p in model.parameters())
        madds = count_madds(model, (3, args.size, args.size))['total']
        model = model.to(args.device)
        row = [name, f'{params / 1e6:.2f}M', f'{madds / 1e6:.0f}M']
        for bs in args.batch_sizes:
            x = torch.randn(bs, 3, args.size, args.size, device=args.device)

            def run(model=model, x=x):
                with torch.inference_mode(), torch.autocast(
                        args.device.split(':')[0], dtype=torch.float16, enabled=args.amp):
                    model(x)
            row.append(f'{1000 * median_time(run, args.reps, args.device):.1f}')
        rows.append(row)
        print(' | '.join(row), flush=True)
    table = markdown_table(['model', 'params', 'MAdds'] +
                           [f'latency b={b} (ms, median)' for b in args.batch_sizes], rows)
    return report(f'Classifier latency at {args.size}x{args.size}', table,
                  dict(reps=args.reps, device=args.device, amp=args.amp), args.out,
                  args.device)


if __name__ == '__main__':
    main()

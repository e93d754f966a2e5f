"""Params, MAdds and latency of the seven Mobile-Former classifiers beside mmpretrain's
MobileNetV2, MobileNetV3 small/large and ResNet-18/50 (all with 1000-class heads, 224x224).

    python benchmarks/backbone_latency.py                       # CPU, batch 1 and 32
    python benchmarks/backbone_latency.py --device cuda --amp --batch-sizes 1 256

Inference latency (``torch.inference_mode``) at each batch size and, with --train-batch N, the
time of one training forward+backward. Mobile-Former rows come twice, measured interleaved in
the same run: with the dynamic ReLU's inference form (one-pass max(a1 x, a2 x), the default)
and with its training form (a_min x + (a_max - a_min) relu(x), used at inference before
2026-12-01), so the table shows the change side by side; training always uses the latter.
"""
import argparse
import statistics

from common import interleaved_times, markdown_table, report

import torch  # noqa: E402
from torch import nn  # noqa: E402

from qbheat_mm.analysis import MobileFormerClassifier, count_madds  # noqa: E402
from qbheat_mm.models import MobileFormer  # noqa: E402
from qbheat_mm.models.utils.dynamic_relu import TokenDynamicReLU  # noqa: E402

FORMS = ('maximum', 'relu')   # TokenDynamicReLU.inference_form: after / before 2026-12-01

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
    parser.add_argument('--train-batch', type=int, default=0,
                        help='also time a training forward+backward at this batch (0: skip)')
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
        forms = FORMS if name.startswith('MF-') else (None, )
        cells = {form: [] for form in forms}
        batches = [(bs, False) for bs in args.batch_sizes]
        if args.train_batch:
            batches.append((args.train_batch, True))
        for bs, training in batches:
            x = torch.randn(bs, 3, args.size, args.size, device=args.device)
            jobs = {form: timed_call(model, x, form, training, args) for form in forms}
            times = interleaved_times(jobs, args.reps, args.device)
            for form in forms:
                cells[form].append(f'{1000 * statistics.median(times[form]):.1f}')
        for form in forms:
            label = name if form in (None, 'maximum') else f'{name} (training form)'
            rows.append([label, f'{params / 1e6:.2f}M', f'{madds / 1e6:.0f}M', *cells[form]])
            print(' | '.join(rows[-1]), flush=True)
    TokenDynamicReLU.inference_form = FORMS[0]
    header = ['model', 'params', 'MAdds'] + [f'latency b={b} (ms, median)'
                                             for b in args.batch_sizes]
    if args.train_batch:
        header.append(f'train fwd+bwd b={args.train_batch} (ms, median)')
    return report(f'Classifier latency at {args.size}x{args.size}',
                  markdown_table(header, rows),
                  dict(reps=args.reps, device=args.device, amp=args.amp), args.out,
                  args.device)


def timed_call(model, x, form, training: bool, args):
    """A closure running one inference call (or one training forward+backward) with the
    dynamic ReLU's inference form set to ``form`` (None: model without dynamic ReLU)."""
    def run():
        if form is not None:
            TokenDynamicReLU.inference_form = form
        if training:
            model.train()
            model(x).float().sum().backward()
            model.zero_grad(set_to_none=True)
            model.eval()
            return
        with torch.inference_mode(), torch.autocast(
                args.device.split(':')[0], dtype=torch.float16, enabled=args.amp):
            model(x)
    return run


if __name__ == '__main__':
    main()

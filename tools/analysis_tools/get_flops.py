"""Parameters and multiply-adds of Mobile-Former variants or of a config's model.

    python tools/analysis_tools/get_flops.py                 # table of all seven variants
    python tools/analysis_tools/get_flops.py --arch 294m 26m --shape 224
    python tools/analysis_tools/get_flops.py --config CONFIG [--shape 256]

MAdds count convolutions, linear layers, the attention matrix products and the two
multiplies per element of each dynamic ReLU (the Mobile-Former paper's convention, see
qbheat_mm/analysis/madds.py); --no-dyrelu leaves the latter out.
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse

from torch import nn  # noqa: E402

from qbheat_mm.analysis import MobileFormerClassifier, count_madds  # noqa: E402

PAPER = {'508m': (14.0, 508), '294m': (11.4, 294), '214m': (9.4, 214), '151m': (7.6, 151),
         '96m': (4.6, 96), '52m': (3.5, 52), '26m': (3.2, 26)}


def params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def arch_table(archs, shape: int, dyrelu: bool) -> str:
    rows = ['| variant | params | params (paper) | MAdds | MAdds (paper) | MAdds vs paper |',
            '|---|---|---|---|---|---|']
    for arch in archs:
        model = MobileFormerClassifier(arch)
        madds = count_madds(model, (3, shape, shape), dyrelu)['total'] / 1e6
        p_params, p_madds = PAPER[arch]
        rows.append(f'| MF-{arch.upper()} | {params(model):,} | {p_params}M | {madds:.1f}M | '
                    f'{p_madds}M | {100 * (madds - p_madds) / p_madds:+.1f}% |')
    return '\n'.join(rows)


def config_report(config: str, shape: int, dyrelu: bool) -> str:
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model = MODELS.build(cfg.model)
    backbone = getattr(model, 'backbone', model)
    total = count_madds(backbone, (3, shape, shape), dyrelu)
    return (f'{config}\n  backbone params: {params(backbone):,}\n  model params: '
            f'{params(model):,}\n  backbone MAdds at {shape}x{shape}: '
            f'{total["total"] / 1e6:.1f}M')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--arch', nargs='+', default=list(PAPER), choices=list(PAPER))
    parser.add_argument('--config', help='report the backbone of this config instead')
    parser.add_argument('--shape', type=int, default=224, help='square input side')
    parser.add_argument('--no-dyrelu', action='store_true',
                        help='leave out the dynamic-ReLU multiplies')
    args = parser.parse_args(argv)
    if args.config:
        print(config_report(args.config, args.shape, not args.no_dyrelu))
    else:
        print(arch_table(args.arch, args.shape, not args.no_dyrelu))


if __name__ == '__main__':
    main()

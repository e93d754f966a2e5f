"""Test QB-Heat's hypothesis on any backbone: one shared linear map between neighbouring features.

    python tools/analysis_tools/heat_invariance.py CONFIG [CKPT] DATA [--label NAME]
        [--extra CONFIG CKPT NAME ...] [--image-size 224] [--num-images 200]
        [--out-dir work_dirs/heat_invariance]

CONFIG is any mmpretrain config whose model has a backbone (a pretraining, classification or
probe config); CKPT a checkpoint of that model, a backbone-only checkpoint
(``extract_backbone.py``), or ``none`` / left out for the initial weights; ``--extra`` adds
more models to the same table and picture. Every image of DATA (a folder searched recursively)
is resized (short side) and centre-cropped to ``--image-size``; its last backbone map z
(C x h x w) is taken. With the first half of the images, shared C x C maps A and B are fitted by
least squares to z(x+1, y) ~ (I + A) z(x, y) and z(x, y+1) ~ (I + B) z(x, y) (and, as FINOLA,
to z + A z_hat, z_hat = z standardised over channels); on the other half are reported the
explained variance R^2 of the right and lower neighbours, the R^2 of the identity (A = B = 0)
and of per-image maps (fitted on half of each image's rows, scored on the other half: the
upper bound when the map may change per image, as long as an image holds many more neighbour
pairs than channels; with fewer, per-image maps overfit and score below the shared one), and
||AB - BA|| / (||A|| ||B||).
Writes ``heat_invariance.md``, ``heat_invariance.json`` and ``heat_invariance.png``.
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
from datetime import date
from typing import Dict, List

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402

import qbheat_mm  # noqa: E402,F401
from qbheat_mm.analysis import heat_invariance  # noqa: E402
from qbheat_mm.checkpoint import build_model  # noqa: E402
from qbheat_mm.models.utils import last_feature_map  # noqa: E402
from qbheat_mm.utils import write_analysis  # noqa: E402
from qbheat_mm.visualization import find_images, load_image_batch  # noqa: E402

COLUMNS = [('r2_x', 'R² right'), ('r2_y', 'R² below'), ('r2_identity_x', 'identity R² right'),
           ('r2_identity_y', 'identity R² below'),
           ('r2_per_image_x', 'per-image map R² right (other rows)'),
           ('r2_per_image_y', 'per-image map R² below (other rows)'),
           ('commutator', '‖AB−BA‖/‖A‖‖B‖')]


@torch.no_grad()
def feature_maps(model, images: torch.Tensor, chunk: int = 16) -> torch.Tensor:
    """(N, 3, S, S) BGR images in [0, 255] -> the backbone's last maps (N, C, h, w)."""
    maps = []
    for start in range(0, len(images), chunk):
        batch = model.data_preprocessor({'inputs': images[start:start + chunk],
                                         'data_samples': None}, False)['inputs']
        maps.append(last_feature_map(model.backbone(batch), 'heat_invariance'))
    return torch.cat(maps)


def analyse(maps: torch.Tensor) -> Dict[str, Dict[str, float]]:
    """{'linear': ..., 'finola': ...}: :func:`heat_invariance` with the first half of the
    images as the fitting set and the second half as the test set."""
    half = len(maps) // 2
    if half < 1 or min(maps.shape[-2:]) < 2:
        raise SystemExit(f'need at least 2 images and maps of at least 2 x 2 cells, got '
                         f'{len(maps)} maps of {tuple(maps.shape[-2:])}; add images or raise '
                         f'--image-size')
    out = {}
    for variant, normalised in (('linear', False), ('finola', True)):
        res = heat_invariance(maps[:half], maps[half:], normalised)
        out[variant] = {k: v for k, v in res.items() if not isinstance(v, torch.Tensor)}
    return out


def table(results: Dict[str, Dict[str, Dict[str, float]]]) -> str:
    lines = ['| model | step | ' + ' | '.join(name for _, name in COLUMNS) + ' |',
             '|---|---|' + '---|' * len(COLUMNS)]
    for label, variants in results.items():
        for variant, res in variants.items():
            step = 'z + A z' if variant == 'linear' else 'z + A ẑ (FINOLA)'
            lines.append(f'| {label} | {step} | ' + ' | '.join(
                f'{res[k]:.3f}' for k, _ in COLUMNS) + ' |')
    return '\n'.join(lines)


def plot(results, out: str) -> str:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    labels = list(results)
    bars = [('r2_identity', 'identity (A = 0)'), ('r2', 'shared A, B (held-out images)'),
            ('r2_per_image', 'per-image map (other rows of the image)')]
    fig, axes = plt.subplots(1, 2, figsize=(5 + 1.3 * len(labels), 3.8), sharey=True)
    for ax, axis, name in zip(axes, ('x', 'y'), ('right neighbour', 'lower neighbour')):
        width = 0.8 / len(bars)
        for j, (key, legend) in enumerate(bars):
            xs = [i + (j - 1) * width for i in range(len(labels))]
            ax.bar(xs, [results[m]['linear'][f'{key}_{axis}'] for m in labels], width,
                   label=legend)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=20, ha='right', fontsize=9)
        ax.set_title(f'R² of the {name}, z + A z', fontsize=10)
        ax.set_ylim(-0.5, 1.05)     # R² can be far below 0; such bars are cut at -0.5
        ax.axhline(0, color='black', linewidth=0.6)
        ax.grid(axis='y', alpha=0.3)
    axes[0].set_ylabel('explained variance R²')
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv: List[str] = None) -> Dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('paths', nargs='+', metavar='[CKPT] DATA',
                        help="a checkpoint (or 'none') and the image folder, or the folder")
    parser.add_argument('--label', default=None, help='name in the table (default: config)')
    parser.add_argument('--extra', nargs=3, action='append', default=[],
                        metavar=('CONFIG', 'CKPT', 'LABEL'), help='another model to compare')
    parser.add_argument('--image-size', type=int, default=224)
    parser.add_argument('--num-images', type=int, default=200)
    parser.add_argument('--out-dir', default='work_dirs/heat_invariance')
    args = parser.parse_args(argv)
    if len(args.paths) > 2:
        parser.error('give CONFIG [CKPT] DATA')
    ckpt, data = (args.paths if len(args.paths) == 2 else ('none', args.paths[0]))
    images = load_image_batch(find_images(data, args.num_images), args.image_size)
    models = [(args.config, ckpt, args.label or osp.splitext(osp.basename(args.config))[0])]
    results = {}
    for config, checkpoint, label in models + [tuple(e) for e in args.extra]:
        model = build_model(Config.fromfile(config),
                            None if checkpoint == 'none' else checkpoint,
                            allow_backbone_only=True)
        results[label] = analyse(feature_maps(model, images))
        print(f'{label}: done', file=sys.stderr)
    text = (f'### Heat-equation hypothesis (tools/analysis_tools/heat_invariance.py)\n\n'
            f'{date.today().isoformat()}; {len(images)} images of {data} at {args.image_size} '
            f'px (fit on the first '
            f'{len(images) // 2}, scored on the other {len(images) - len(images) // 2}); last '
            f'backbone map; R² = explained variance of the neighbour\n\n{table(results)}\n')
    write_analysis(args.out_dir, 'heat_invariance', text, results, plot)
    return results


if __name__ == '__main__':
    main()

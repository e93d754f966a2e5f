"""How close the mean of m fixed-scale patch embeddings gets to the whole-image embedding.

    python tools/analysis_tools/patch_aggregation.py CONFIG CKPT DATA [--label NAME]
        [--extra CONFIG CKPT NAME ...] [--patch-sizes 32 64 96] [--num-images 100]
        [--out-dir work_dirs/patch_aggregation]

BagSSL's analysis claim (Chen et al., TMLR 2023): with multi-scale pretraining, the average
embedding of many small fixed-scale patches converges to the embedding of the whole image.
For every model (CONFIG + CKPT, ``none`` for the initial weights; ``--extra`` adds more to the
same table and plot), every image of DATA (a folder searched recursively for images, e.g. an
ImageNet-layout split) is resized (short side) and centre-cropped to ``--image-size``; the
whole-image embedding is the global average pool of the backbone's last map, each patch
embedding the same for a patch of p px at a seeded random position (fed at p px, or at
``--input-size``). Reported: the cosine similarity between the mean of the first m patch
embeddings and the whole-image embedding, each side centred on its own mean over the evaluated
images (``--no-center``: raw), mean (and std) over images, for m = 1, 2, 4, ...
Writes ``patch_aggregation.md`` (table), ``patch_aggregation.json`` and ``patch_aggregation.png``.
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
from typing import Dict, Sequence

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.config import Config  # noqa: E402

import qbheat_mm  # noqa: E402,F401
from qbheat_mm.checkpoint import build_model  # noqa: E402
from qbheat_mm.models.utils import (patch_boxes, patch_embeddings,  # noqa: E402
                                    pooled_embedding)
from qbheat_mm.utils import write_analysis  # noqa: E402
from qbheat_mm.visualization import find_images, load_image_batch  # noqa: E402

@torch.no_grad()
def aggregation_curve(model, images: torch.Tensor, patch_size: int, counts: Sequence[int],
                      input_size: int = 0, seed: int = 0, center: bool = True,
                      chunk: int = 8) -> Dict[int, tuple]:
    """{m: (mean, std) over images of cos(mean of m patch embeddings, whole-image embedding)}.

    Args:
        model: an mmpretrain model (its ``data_preprocessor`` and ``backbone`` are used).
        images (Tensor): (N, 3, S, S) BGR images in [0, 255].
        patch_size (int): p.
        counts (Sequence[int]): the m values; patches are drawn once (max m per image,
            seeded) and the first m averaged, so the curves are nested.
        center (bool): centre both sides first, each on its own mean over the N images
            (the whole-image embeddings on theirs, the m-patch means on theirs). Pooled
            ReLU features share a large common component that makes raw cosines of any two
            images close to 1 (random weights included), and the patch scale shifts that
            component; centring measures whether the patches recover what is specific to
            the image.
    """
    backbone, wholes, means = model.backbone, [], []
    boxes = patch_boxes(tuple(images.shape[-2:]), patch_size, max(counts), 'random',
                        torch.Generator().manual_seed(seed))
    for start in range(0, len(images), chunk):
        batch = model.data_preprocessor({'inputs': images[start:start + chunk],
                                         'data_samples': None}, False)['inputs']
        wholes.append(pooled_embedding(backbone, batch, 'patch_aggregation'))   # (b, C)
        feats = patch_embeddings(backbone, batch, boxes, input_size or patch_size,
                                 'patch_aggregation')                           # (b, m, C)
        means.append(feats.cumsum(dim=1) / torch.arange(1, len(boxes) + 1)[None, :, None])
    whole, mean = torch.cat(wholes), torch.cat(means)
    if center:   # each side on its own mean over the images (patch scale shifts the mean)
        whole, mean = whole - whole.mean(dim=0), mean - mean.mean(dim=0)
    sims = torch.stack([F.cosine_similarity(mean[:, m - 1], whole, dim=1) for m in counts], 1)
    return {m: (float(sims[:, i].mean()), float(sims[:, i].std()) if len(sims) > 1 else 0.)
            for i, m in enumerate(counts)}


def plot(results: Dict[str, Dict[int, Dict[int, tuple]]], out: str) -> str:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    sizes = sorted({p for curves in results.values() for p in curves})
    fig, axes = plt.subplots(1, len(sizes), figsize=(4.2 * len(sizes), 3.6), sharey=True,
                             squeeze=False)
    for ax, p in zip(axes[0], sizes):
        for label, curves in results.items():
            counts = sorted(curves[p])
            mean = [curves[p][m][0] for m in counts]
            std = [curves[p][m][1] for m in counts]
            ax.errorbar(counts, mean, yerr=std, marker='o', capsize=3, label=label)
        ax.set_xscale('log', base=2)
        ax.set_title(f'{p}x{p} patches')
        ax.set_xlabel('patches averaged (m)')
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel('cos(mean patch emb., image emb.)')
    axes[0][-1].legend(fontsize=8)
    fig.suptitle('Mean of m fixed-scale patch embeddings vs the whole-image embedding')
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def table(results, counts) -> str:
    lines = ['| model | patch | ' + ' | '.join(f'm={m}' for m in counts) + ' |',
             '|---|---|' + '---|' * len(counts)]
    for label, curves in results.items():
        for p, curve in sorted(curves.items()):
            lines.append(f'| {label} | {p} px | ' + ' | '.join(
                f'{curve[m][0]:.3f} ± {curve[m][1]:.3f}' for m in counts) + ' |')
    return '\n'.join(lines)


def main(argv=None) -> Dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="a checkpoint of CONFIG's model, or 'none'")
    parser.add_argument('data', help='folder of images (searched recursively)')
    parser.add_argument('--label', default=None, help='name in the table (default: config)')
    parser.add_argument('--extra', nargs=3, action='append', default=[],
                        metavar=('CONFIG', 'CKPT', 'LABEL'), help='another model to compare')
    parser.add_argument('--patch-sizes', nargs='+', type=int, default=[32, 64, 96])
    parser.add_argument('--num-patches', nargs='+', type=int,
                        default=[1, 2, 4, 8, 16, 32, 64])
    parser.add_argument('--input-size', type=int, default=0,
                        help='resize every patch to this side (default: keep p px)')
    parser.add_argument('--image-size', type=int, default=224)
    parser.add_argument('--num-images', type=int, default=100)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--no-center', action='store_true',
                        help='raw cosines (default: both sides centred on the mean image '
                             'embedding of the evaluated images)')
    parser.add_argument('--out-dir', default='work_dirs/patch_aggregation')
    args = parser.parse_args(argv)
    if min(args.num_patches) < 1:
        raise SystemExit('--num-patches: every m must be >= 1')
    if max(args.patch_sizes) > args.image_size:
        raise SystemExit(f'--patch-sizes: {max(args.patch_sizes)} px patches do not fit '
                         f'{args.image_size} px images; raise --image-size')
    images = load_image_batch(find_images(args.data, args.num_images), args.image_size)
    models = [(args.config, args.checkpoint,
               args.label or osp.splitext(osp.basename(args.config))[0])] + args.extra
    results = {}
    for config, ckpt, label in models:
        model = build_model(Config.fromfile(config), None if ckpt == 'none' else ckpt)
        results[label] = {p: aggregation_curve(model, images, p, args.num_patches,
                                               args.input_size, args.seed, not args.no_center)
                          for p in args.patch_sizes}
        print(f'{label}: done', file=sys.stderr)
    text = (f'{len(images)} images of {args.data} at {args.image_size} px, patches at '
            f'{"their own size" if not args.input_size else f"{args.input_size} px"}, '
            f'seed {args.seed}; cosine similarity'
            f'{"" if args.no_center else " of embeddings centred on their mean over the images"}'
            f', mean ± std over images\n\n'
            + table(results, args.num_patches) + '\n')
    write_analysis(args.out_dir, 'patch_aggregation', text, results, plot)
    return results


if __name__ == '__main__':
    main()

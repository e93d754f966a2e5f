"""Picture of a QB-Heat model on any images: input | visible quarter | reconstruction | target.

    python tools/visualizations/vis_qbheat.py CONFIG CHECKPOINT IMG [IMG ...] \
        [--out reconstruction.png] [--size 256]
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
from typing import Sequence, Tuple

from mmengine.config import Config  # noqa: E402

import qbheat_mm  # noqa: E402,F401
from qbheat_mm.checkpoint import build_model  # noqa: E402
from qbheat_mm.visualization import (COLUMNS, VIEWS, load_image_batch,  # noqa: E402
                                     reconstruction_grid, save_png)


def crop_size(cfg: Config) -> int:
    """The square crop of the config's training pipeline (RandomResizedCrop scale)."""
    for step in cfg.train_dataloader.dataset.get('pipeline', []):
        if 'RandomResizedCrop' in step['type']:
            scale = step['scale']
            return scale if isinstance(scale, int) else scale[0]
    raise ValueError('no RandomResizedCrop in the config pipeline: pass --size')


def render(model, images: Sequence[str], out: str, size: int,
           view: str = 'denormalised') -> Tuple[str, float]:
    """Write the picture of ``model`` on ``images`` to ``out``; also return the
    model's reconstruction loss on them (same region and target as training)."""
    batch = load_image_batch(images, size)
    inputs = model.data_preprocessor({'inputs': batch, 'data_samples': None}, False)['inputs']
    grid, loss = reconstruction_grid(model, inputs, view=view)
    return save_png(grid, out), loss


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('images', nargs='+')
    parser.add_argument('--out', default='qbheat_reconstruction.png')
    parser.add_argument('--size', type=int, help='square input size (default: the config crop)')
    parser.add_argument('--view', choices=VIEWS, default='denormalised',
                        help="'denormalised' (MAE's picture: prediction with the target "
                             "patches' mean/variance, + visible quarter pasted) or "
                             "'normalised' (the loss's per-patch normalised space)")
    args = parser.parse_args(argv)
    for path in (args.config, args.checkpoint):
        if not osp.isfile(path):
            raise SystemExit(f'{path} not found')
    cfg = Config.fromfile(args.config)
    out, loss = render(build_model(cfg, args.checkpoint), args.images, args.out,
                       args.size or crop_size(cfg), args.view)
    print(f'wrote {out} (columns: {" | ".join(COLUMNS[args.view])}); reconstruction loss '
          f'{loss:.4f}')


if __name__ == '__main__':
    main()

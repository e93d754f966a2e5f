"""Write the offline demo dataset: random crops of the real photos bundled in scikit-image.

    python tools/misc/make_demo_dataset.py [OUT_DIR] [--crops 24] [--size 256]

Layout (ImageNet-style folders, one per photo): OUT_DIR/{train,val}/<photo>/<n>.png.
Grayscale photos stay grayscale on disk; the training pipeline reads them as colour.
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
import os

import numpy as np
from PIL import Image

# colour photos plus three grayscale ones (camera, moon, coins)
PHOTOS = ('astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'motorcycle_left.png',
          'hubble_deep_field.jpg', 'retina.jpg', 'ihc.png', 'brick.png', 'grass.png',
          'camera.png', 'moon.png', 'coins.png')


def skimage_data_dir() -> str:
    try:
        import skimage.data
    except ImportError as exc:
        raise SystemExit('the demo photos come with scikit-image: pip install scikit-image '
                         '(make env installs it)') from exc
    return osp.dirname(skimage.data.__file__)


def random_crops(img: Image.Image, count: int, size: int, rng: np.random.Generator):
    """``count`` random square crops (side 40-100% of the short side), resized to ``size``."""
    w, h = img.size
    for _ in range(count):
        side = int(min(w, h) * rng.uniform(0.4, 1.0))
        left, top = rng.integers(0, w - side + 1), rng.integers(0, h - side + 1)
        yield img.crop((left, top, left + side, top + side)).resize((size, size),
                                                                    Image.BICUBIC)


def make_demo_dataset(out_dir: str, crops: int = 24, val_crops: int = 2, size: int = 256,
                      seed: int = 0) -> str:
    """Write the dataset (skipping it if already complete) and return ``out_dir``."""
    stamp = osp.join(out_dir, '.complete')
    if osp.isfile(stamp):
        return out_dir
    src = skimage_data_dir()
    rng = np.random.default_rng(seed)
    for name in PHOTOS:
        img = Image.open(osp.join(src, name))
        img = img.convert('L' if img.mode in ('L', 'I;16', 'I') else 'RGB')
        for split, count in (('train', crops), ('val', val_crops)):
            folder = osp.join(out_dir, split, osp.splitext(name)[0])
            os.makedirs(folder, exist_ok=True)
            for i, crop in enumerate(random_crops(img, count, size, rng)):
                crop.save(osp.join(folder, f'{i:03d}.png'))
    open(stamp, 'w').close()
    return out_dir


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description='offline QB-Heat demo dataset')
    parser.add_argument('out_dir', nargs='?', default='data/qbheat_demo')
    parser.add_argument('--crops', type=int, default=24, help='training crops per photo')
    parser.add_argument('--size', type=int, default=256)
    args = parser.parse_args(argv)
    out = make_demo_dataset(args.out_dir, args.crops, size=args.size)
    n = sum(len(files) for _, _, files in os.walk(osp.join(out, 'train')))
    print(f'demo dataset: {out} ({n} training images from {len(PHOTOS)} photos)')


if __name__ == '__main__':
    main()

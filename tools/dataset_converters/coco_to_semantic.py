"""Write a semantic-segmentation set from COCO instance annotations (the folder layout
``--seg-data`` reads; see qbheat_mm/datasets/coco_semantic.py).

    python tools/dataset_converters/coco_to_semantic.py \
        ../shared/data/coco128/annotations/instances_train2017.json \
        ../shared/data/coco128/train2017 data/coco128_semantic --val 32

Then any mmseg config of configs/mmseg trains and evaluates on it:

    python tools/train.py configs/mmseg/fpn_mobileformer-26m_frozen_4xb4-160k_ade20k-512x512.py \
        --seg-data data/coco128_semantic --cfg-options train_cfg.max_iters=200
"""
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse  # noqa: E402

from qbheat_mm.datasets.coco_semantic import coco_to_semantic  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('ann_file', help='COCO instances_*.json')
    parser.add_argument('image_dir', help='folder of its images')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--val', type=int, default=0,
                        help='the last N images form the validation split (default 0: every '
                        'image in both splits)')
    parser.add_argument('--limit', type=int, help='use only the first N images')
    args = parser.parse_args(argv)
    try:
        made = coco_to_semantic(args.ann_file, args.image_dir, args.out_dir, args.val,
                                args.limit)
    except (FileNotFoundError, ValueError) as exc:
        raise SystemExit(f'error: {exc}')
    print(f"{args.out_dir}: {made['training']} training and {made['validation']} validation "
          f"images, {len(made['classes'])} classes ({', '.join(made['classes'][:6])}, ...)")


if __name__ == '__main__':
    main()

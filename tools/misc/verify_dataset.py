"""Check that every image a config's dataset lists can be read and decoded, before a long run.

    python tools/misc/verify_dataset.py CONFIG [--split train|val|test] [--workers N]
                                      [--out-path BAD.txt] [--cfg-options K=V ...]

Decoding is strict (PIL, whole file): a truncated JPEG is reported. Prints a progress / ETA
line, then the unreadable files with their reasons; writes them to --out-path (one
``path<TAB>reason`` per line); exit status 1 when any is unreadable. Fixes: replace or delete
the files, or train with ``tools/train.py --skip-unreadable`` (each skip logged and counted).
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse

import qbheat_mm  # noqa: E402,F401  (registers the plugin's components)
from qbheat_mm.datasets import DataRootError, check_data_roots  # noqa: E402
from qbheat_mm.datasets.verify_images import (default_workers,  # noqa: E402
                                              loader_image_paths, unreadable_message,
                                              verify_images)
from qbheat_mm.utils import add_common_args, load_config  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--split', choices=('train', 'val', 'test'), default='train',
                        help='which dataloader\'s dataset to check')
    parser.add_argument('--workers', type=int, default=default_workers(),
                        help='decoding processes')
    parser.add_argument('--out-path', help='write the unreadable files here (path<TAB>reason)')
    add_common_args(parser)
    args = parser.parse_args(argv)
    cfg = load_config(args)
    key = f'{args.split}_dataloader'
    if not cfg.get(key):
        raise SystemExit(f'error: {args.config} has no {key}')
    check_data_roots(cfg, (key, ))
    paths = loader_image_paths(cfg, key)
    print(f'{key}: checking {len(paths)} images with {args.workers} processes', flush=True)
    bad = verify_images(paths, args.workers)
    if args.out_path:
        with open(args.out_path, 'w') as f:
            f.writelines(f'{path}\t{reason}\n' for path, reason in bad)
    if bad:
        print(unreadable_message(bad, len(paths)))
        print('Replace or delete them, or train with tools/train.py --skip-unreadable '
              '(each skip logged and counted).')
        return 1
    print(f'all {len(paths)} images are readable')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except DataRootError as exc:
        raise SystemExit(f'error: {exc}')

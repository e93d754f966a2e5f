"""Write an ImageNet label subset (semi-supervised fine-tuning) in mmpretrain's ann_file format.

    python tools/misc/make_semi_subset.py SRC DST [--data-root data/imagenet]

SRC may be LEWEL's ``data/{1,10}percent.txt.ext`` (``label wnid/file.JPEG`` lines), an
mmpretrain-style list (``wnid/file.JPEG label``) or SimCLR's ``{1,10}percent.txt`` (bare
``wnid_N.JPEG`` names; the label is the wnid's index in sorted order, ImageNet's standard
class order). DST gets ``wnid/file.JPEG label`` lines, to be read with
``dataset=dict(ann_file=DST relative to data_root, data_prefix='train')``. With --data-root the
files are checked to exist under DATA_ROOT/train.
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
import os
from typing import List, Tuple


def parse_subset(lines: List[str], wnids: List[str]) -> List[Tuple[str, int]]:
    """``[(wnid/file, label)]`` from any of the three formats (see the module docstring)."""
    out, bare = [], []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) == 2 and parts[0].isdigit():
            out.append((parts[1], int(parts[0])))
        elif len(parts) == 2 and parts[1].isdigit():
            out.append((parts[0], int(parts[1])))
        elif len(parts) == 1 and '_' in parts[0]:
            bare.append(parts[0])
        else:
            raise SystemExit(f'line {number}: {line.strip()!r} is not "label path", '
                             f'"path label" or a bare wnid_N.JPEG name')
    if bare:
        index = {w: i for i, w in enumerate(sorted(wnids or {b.split('_')[0] for b in bare}))}
        out += [(f'{b.split("_")[0]}/{b}', index[b.split('_')[0]]) for b in bare]
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('src')
    parser.add_argument('dst')
    parser.add_argument('--data-root', help='check that every file exists under DATA_ROOT/train')
    args = parser.parse_args(argv)
    if not osp.isfile(args.src):
        raise SystemExit(f'{args.src} not found; LEWEL ships data/1percent.txt.ext and '
                         f'data/10percent.txt.ext, SimCLR 1percent.txt and 10percent.txt')
    train = osp.join(args.data_root, 'train') if args.data_root else None
    wnids = sorted(os.listdir(train)) if train and osp.isdir(train) else []
    with open(args.src) as f:
        rows = parse_subset(f.readlines(), wnids)
    if train:
        missing = [p for p, _ in rows if not osp.isfile(osp.join(train, p))]
        if missing:
            raise SystemExit(f'{len(missing)} of {len(rows)} files are not under {train} '
                             f'(first: {missing[0]})')
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    with open(args.dst, 'w') as f:
        f.writelines(f'{path} {label}\n' for path, label in rows)
    print(f'{len(rows)} images of {len({lab for _, lab in rows})} classes -> {args.dst}')


if __name__ == '__main__':
    main()

"""Convert an official LEWEL (ResNet-50) or GTSA (ViT-S/16) checkpoint to a backbone checkpoint.

    python tools/model_converters/ssl_official_to_mm.py lewel SRC DST [--encoder online|target]
    python tools/model_converters/ssl_official_to_mm.py gtsa SRC DST [--encoder momentum|base]

DST holds ``backbone.*`` tensors and plain metadata (source, method, encoder, input
normalisation: RGB with the ImageNet mean/std, as both official codes train), loads with
torch.load(weights_only=True), and plugs into mmpretrain, mmdet and mmseg configs with
init_cfg=dict(type='Pretrained', checkpoint=DST, prefix='backbone.'): LEWEL into mmpretrain's
ResNet(depth=50), GTSA into VisionTransformer / DINOVisionTransformer (arch 'deit-small').
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
import os

import torch  # noqa: E402

from qbheat_mm.checkpoint import load_local_checkpoint  # noqa: E402
from qbheat_mm.converters import IMAGENET, convert_gtsa, convert_lewel  # noqa: E402

METHODS = {'lewel': (convert_lewel, 'online', ('online', 'target')),
           'gtsa': (convert_gtsa, 'momentum', ('momentum', 'base'))}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('method', choices=sorted(METHODS))
    parser.add_argument('src', help='the official checkpoint')
    parser.add_argument('dst', help='output backbone checkpoint')
    parser.add_argument('--encoder', help="lewel: 'online' (default) or 'target'; gtsa: "
                        "'momentum' (default, the EMA teacher) or 'base' (the student)")
    args = parser.parse_args(argv)
    convert, default, choices = METHODS[args.method]
    encoder = args.encoder or default
    if encoder not in choices:
        raise SystemExit(f'--encoder for {args.method}: one of {choices}, not {encoder!r}')
    if not osp.isfile(args.src):
        raise SystemExit(f'{args.src} not found')
    checkpoint = load_local_checkpoint(args.src, map_location='cpu')
    try:
        state_dict = convert(checkpoint, encoder)
    except KeyError as exc:
        raise SystemExit(f'conversion failed: {exc.args[0]}') from exc
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state_dict,
                    meta=dict(source=osp.abspath(args.src), method=args.method,
                              encoder=encoder, normalization=IMAGENET)), args.dst)
    print(f'{args.method} ({encoder}): {len(state_dict)} tensors -> {args.dst}')


if __name__ == '__main__':
    main()

"""Convert an official Mobile-Former checkpoint (github.com/AAboys/MobileFormer) to qbheat_mm.

    python tools/model_converters/mobileformer_official_to_mm.py SRC DST [--arch 294m]

DST loads into ImageClassifier(backbone=MobileFormer(arch, out_indices=(4,),
return_tokens=True), head=MobileFormerClsHead(arch=arch)), and its ``backbone.*`` part into
any MobileFormer (mmdet too) with init_cfg=dict(type='Pretrained', prefix='backbone.').
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

from qbheat_mm.converters import convert_official  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('src', help='official checkpoint (.pth / .pth.tar)')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument('--arch', help='508m ... 26m (detected when omitted)')
    args = parser.parse_args(argv)
    if not osp.isfile(args.src):
        raise SystemExit(f'{args.src} not found')
    # official checkpoints are plain tensors (plus a few numbers); never unpickle code here
    checkpoint = torch.load(args.src, map_location='cpu', weights_only=True)
    try:
        state_dict, arch = convert_official(checkpoint, args.arch)
    except KeyError as exc:
        raise SystemExit(f'conversion failed: {exc.args[0]}') from exc
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state_dict, meta=dict(arch=arch, source=osp.abspath(args.src))),
               args.dst)
    print(f'MobileFormer-{arch}: {len(state_dict)} tensors -> {args.dst}')


if __name__ == '__main__':
    main()

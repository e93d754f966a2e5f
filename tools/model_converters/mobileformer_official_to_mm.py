"""Convert an official Mobile-Former checkpoint (github.com/AAboys/MobileFormer) to qbheat_mm.

    python tools/model_converters/mobileformer_official_to_mm.py SRC DST [--arch 294m] [--ema]

SRC may be a plain state dict, a ``{'state_dict': ...}`` dict (the released files), keys with
DDP's ``module.`` prefix, or a checkpoint written by timm's CheckpointSaver (the authors' training
code: ``state_dict``, ``optimizer``, ``epoch``, ``version``, ``metric``, ``args`` as an
``argparse.Namespace`` and, with model EMA, ``state_dict_ema``; ``--ema`` converts the EMA weights).
It is read with ``weights_only=True`` and ``argparse.Namespace`` allow-listed, so no code is
unpickled; a file that still holds other objects is loaded fully after a warning, as the
project's trusted-checkpoint rule (only for files from sources you trust).

DST loads into ImageClassifier(backbone=MobileFormer(arch, out_indices=(4,),
return_tokens=True), head=MobileFormerClsHead(arch=arch)), and its ``backbone.*`` part into
any MobileFormer (mmdet too) with init_cfg=dict(type='Pretrained', prefix='backbone.').
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
import os
import pickle

import torch  # noqa: E402

from qbheat_mm.checkpoint import load_local_checkpoint  # noqa: E402
from qbheat_mm.converters import IMAGENET, convert_official  # noqa: E402


def load_official(path: str) -> dict:
    """Tensors, numbers and timm's ``args`` Namespace without unpickling code; anything else
    through the trusted full load (with its warning)."""
    try:
        with torch.serialization.safe_globals([argparse.Namespace]):
            return torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError:
        return load_local_checkpoint(path, map_location='cpu')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('src', help='official checkpoint (.pth / .pth.tar)')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument('--arch', help='508m ... 26m (detected when omitted)')
    parser.add_argument('--ema', action='store_true',
                        help="convert the model-EMA weights (timm's state_dict_ema)")
    args = parser.parse_args(argv)
    if not osp.isfile(args.src):
        raise SystemExit(f'{args.src} not found')
    checkpoint = load_official(args.src)
    if args.ema:
        if not isinstance(checkpoint, dict) or not isinstance(
                checkpoint.get('state_dict_ema'), dict):
            keys = sorted(checkpoint) if isinstance(checkpoint, dict) else []
            raise SystemExit(f'--ema: {args.src} has no state_dict_ema (its keys: {keys}); '
                             f'drop --ema to convert its state_dict')
        checkpoint = checkpoint['state_dict_ema']
    try:
        state_dict, arch = convert_official(checkpoint, args.arch)
    except KeyError as exc:
        raise SystemExit(f'conversion failed: {exc.args[0]}') from exc
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(dict(state_dict=state_dict, meta=dict(arch=arch, source=osp.abspath(args.src),
                                                     normalization=IMAGENET)),
               args.dst)
    print(f'MobileFormer-{arch}: {len(state_dict)} tensors -> {args.dst}')


if __name__ == '__main__':
    main()

"""Write a backbone-only, tensor-only checkpoint from a training checkpoint.

    python tools/model_converters/extract_backbone.py SRC DST [--prefix backbone.]

DST holds ``backbone.*`` tensors and plain metadata (source, config, arch, iteration), loads
with torch.load(weights_only=True), and plugs into mmpretrain or mmdet configs with
init_cfg=dict(type='Pretrained', checkpoint=DST, prefix='backbone.').
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
from mmengine.config import Config  # noqa: E402

from qbheat_mm.checkpoint import load_local_checkpoint  # noqa: E402
from qbheat_mm.converters import extract_backbone  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('src', help='training checkpoint (e.g. work_dirs/x/iter_300.pth)')
    parser.add_argument('dst', help='output backbone checkpoint')
    parser.add_argument('--prefix', default='backbone.')
    args = parser.parse_args(argv)
    if not osp.isfile(args.src):
        raise SystemExit(f'{args.src} not found')
    checkpoint = load_local_checkpoint(args.src, map_location='cpu')
    meta = dict(source=osp.abspath(args.src))
    cfg_text = checkpoint.get('meta', {}).get('cfg')
    if cfg_text:
        backbone = Config.fromstring(cfg_text, '.py').model.get('backbone', {})
        meta.update(backbone_type=str(backbone.get('type')), arch=str(backbone.get('arch')))
    try:
        out = extract_backbone(checkpoint, args.prefix, meta)
    except KeyError as exc:
        raise SystemExit(f'extraction failed: {exc.args[0]}') from exc
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    torch.save(out, args.dst)
    print(f'{len(out["state_dict"])} tensors -> {args.dst} (meta: '
          f'{ {k: v for k, v in out["meta"].items() if k != "cfg"} })')


if __name__ == '__main__':
    main()

"""Evaluate a checkpoint with an mmpretrain, mmdet or mmseg config (``default_scope`` decides).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out RESULTS.pkl]
                         [--metrics-json FILE] [--show-dir DIR] [--cfg-options K=V ...]
                         [--coco-data DIR] [--seg-data DIR] [--launcher ...]

For COCO configs the evaluator is mmdet's CocoMetric and prints the standard
12-number bbox AP table; for segmentation configs mmseg's IoUMetric prints the per-class
IoU / Acc table and aAcc, mIoU, mAcc.
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
import json
import os

from mmengine.runner import Runner  # noqa: E402

from qbheat_mm.converters import NormalizationMismatchError  # noqa: E402
from qbheat_mm.datasets import DataRootError, check_data_roots  # noqa: E402
from qbheat_mm.engine.hooks import empty_result_message  # noqa: E402
from qbheat_mm.utils import (add_common_args, default_mmpretrain_collate,  # noqa: E402
                             load_config, nested_dicts, setup_cpu_distributed)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (evaluate) a checkpoint')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump raw predictions to this .pkl file')
    parser.add_argument('--metrics-json', metavar='FILE',
                        help='also write the final metrics (name -> value) to this JSON file')
    parser.add_argument('--subset', type=int, metavar='N',
                        help='(COCO-metric configs) evaluate the first N images of the test '
                        'annotation file and score only them (a restricted copy of the file '
                        'is written to the work dir)')
    parser.add_argument('--show-dir', help='(mmdet) save drawn predictions in '
                        'WORK_DIR/TIMESTAMP/SHOW_DIR')
    add_common_args(parser)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint {args.checkpoint!r} not found')
    cfg = load_config(args)
    cfg.load_from = args.checkpoint
    if args.out:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise SystemExit('--out must end with .pkl or .pickle')
        cfg.test_evaluator = [*(cfg.test_evaluator if isinstance(cfg.test_evaluator, list)
                                else [cfg.test_evaluator]),
                              dict(type='DumpResults', out_file_path=args.out)]
    if args.show_dir:
        hook = cfg.default_hooks.get('visualization')
        if hook is None:
            raise SystemExit('--show-dir needs a visualization hook in default_hooks')
        hook.update(draw=True, test_out_dir=args.show_dir)
    if args.subset is not None:
        from qbheat_mm.datasets.coco_folder import evaluate_subset
        path, count = evaluate_subset(cfg, args.subset, cfg.work_dir)
        print(f'--subset: evaluating and scoring {count} images ({path})', flush=True)
    elif cfg.get('default_scope') == 'mmdet':
        from qbheat_mm.datasets.coco_folder import diluted_subset_warning
        warning = diluted_subset_warning(cfg)
        if warning:
            print(warning, flush=True)
    default_mmpretrain_collate(cfg)
    check_data_roots(cfg, ('test_dataloader', ))   # evaluation needs only the test data
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if args.metrics_json and int(os.environ.get('RANK', '0')) == 0:
        os.makedirs(osp.dirname(osp.abspath(args.metrics_json)), exist_ok=True)
        with open(args.metrics_json, 'w') as f:
            json.dump({k: (v.item() if hasattr(v, 'item') else v) for k, v in metrics.items()},
                      f, indent=1, default=str)
    if cfg.get('default_scope') == 'mmdet' and not metrics:
        raise SystemExit(empty_result_message(cfg))


if __name__ == '__main__':
    try:
        main()
    except (DataRootError, NormalizationMismatchError) as exc:   # its message, no traceback
        raise SystemExit(f'error: {exc}')

"""`make demo`: offline QB-Heat pretraining of MF-26M on real photos, on the CPU, in minutes.

1. writes the demo dataset (random crops of scikit-image's photos) to data/qbheat_demo;
2. trains configs/qbheat/mobileformer-26m_demo.py (300 iterations, log with ETA);
3. renders input | visible quarter | reconstruction* | reconstruction* + visible | target for
   held-out crops with the first-iteration and the final weights (* de-normalised with the
   target patches' mean and variance), and prints where everything went.
"""
import os.path as osp  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, osp.join(osp.abspath(__file__).rsplit(osp.sep + 'tools' + osp.sep, 1)[0],
                            'tools'))
import project_env  # noqa: E402  (re-runs this tool in the project environment if needed)

project_env.ensure()
import argparse
import glob
import time

REPO = project_env.REPO

from mmengine.runner import Runner  # noqa: E402

from qbheat_mm.utils import load_config  # noqa: E402
from qbheat_mm.visualization import COLUMNS, NOTE  # noqa: E402
from misc.make_demo_dataset import make_demo_dataset  # noqa: E402
from visualizations.vis_qbheat import build_model, crop_size, render  # noqa: E402

CONFIG = osp.join(REPO, 'configs', 'qbheat', 'mobileformer-26m_demo.py')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description='QB-Heat CPU demo')
    parser.add_argument('--work-dir', default='work_dirs/qbheat_demo')
    parser.add_argument('--data-root', default='data/qbheat_demo')
    parser.add_argument('--iters', type=int, help='override the 300 iterations')
    args = parser.parse_args(argv)

    data_root = make_demo_dataset(args.data_root)
    start = time.time()
    options = {'train_dataloader.dataset.data_root': data_root}
    if args.iters:
        options.update({'train_cfg.max_iters': args.iters,
                        'default_hooks.checkpoint.interval': args.iters})
    cfg = load_config(argparse.Namespace(config=CONFIG, cfg_options=options,
                                         launcher='none', work_dir=args.work_dir,
                                         local_rank=0))
    runner = Runner.from_cfg(cfg)
    runner.train()
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    minutes = (time.time() - start) / 60
    final = osp.join(args.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')

    images = sorted(glob.glob(osp.join(data_root, 'val', '*', '000.png')))[:6]
    size = crop_size(cfg)
    before, loss_before = render(build_model(cfg), images,
                                 osp.join(args.work_dir, 'reconstruction_iter0.png'), size)
    after, loss_after = render(build_model(cfg, final), images,
                               osp.join(args.work_dir, 'reconstruction_final.png'), size)
    n = min(10, len(losses))
    print('\n==== QB-Heat demo done ====')
    print(f'training   : {len(losses)} iterations in {minutes:.1f} min on '
          f'{cfg.train_dataloader.batch_size}-image batches')
    print(f'train loss : {losses[:n].mean():.4f} (first {n} iterations) -> '
          f'{losses[-n:].mean():.4f} (last {n})')
    print(f'held-out   : masked-quarter loss on {len(images)} val crops '
          f'{loss_before:.4f} (iteration 0) -> {loss_after:.4f} (final)')
    print(f'checkpoint : {final}')
    print(f'pictures   : {before} (iteration 0)')
    print(f'             {after} (final)  columns: {" | ".join(COLUMNS["denormalised"])}'
          f' ({NOTE})')
    print(f'             {osp.join(args.work_dir, "vis")}/iter_*.png (training batch, '
          'during training)')
    print(f'logs       : {runner.log_dir}')


if __name__ == '__main__':
    main()

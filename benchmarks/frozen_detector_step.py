"""The frozen ConvNeXt-T RetinaNet step, before and after FrozenStagesConvNeXt.

    python benchmarks/frozen_detector_step.py [--size 512] [--batch 2] [--reps 5]

Before: mmpretrain's ConvNeXt with frozen_stages=4 and the backbone at lr 0 (its output norms
stay trainable, so every step back-propagates through the whole backbone); after:
configs/mmdet/retinanet_convnext-tiny_fpn_frozen_1x_coco.py as shipped. Same weights, same
random batch; training steps (forward, backward, SGD step) timed interleaved; medians, the
ratio, the backbone parameters that receive a gradient and the optimiser state they hold.
"""
import argparse
import os.path as osp
import statistics

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from common import REPO, interleaved_times, markdown_table, report

CONFIG = osp.join(REPO, 'configs', 'mmdet', 'retinanet_convnext-tiny_fpn_frozen_1x_coco.py')


def build(frozen: bool, size: int, batch: int):
    from mmdet.registry import MODELS
    from mmdet.structures import DetDataSample
    from mmengine.registry import init_default_scope
    from mmengine.structures import InstanceData
    init_default_scope('mmdet')
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.update(init_cfg=None, type='FrozenStagesConvNeXt' if frozen
                              else 'mmpretrain.ConvNeXt')
    if not frozen:      # the config before: lr 0 and no decay for the backbone
        cfg.optim_wrapper.paramwise_cfg = dict(custom_keys={
            'backbone': dict(lr_mult=0.0, decay_mult=0.0)})
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    images = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(1))
    samples = []
    for _ in range(batch):
        sample = DetDataSample(metainfo=dict(img_shape=(size, size), pad_shape=(size, size),
                                             batch_input_shape=(size, size)))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[0.1, 0.2, 0.7, 0.8]]) * size, labels=torch.tensor([3]))
        samples.append(sample)

    def step():
        optim.update_params(model.parse_losses(model.loss(images, samples))[0])
    return model, optim, step


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--size', type=int, default=512)
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--out', default=osp.join(REPO, 'benchmarks', 'results',
                                                  'frozen_detector_step.md'))
    args = parser.parse_args(argv)
    runs = {'before (ConvNeXt, backbone lr 0)': build(False, args.size, args.batch),
            'after (FrozenStagesConvNeXt)': build(True, args.size, args.batch)}
    times = interleaved_times({k: v[2] for k, v in runs.items()}, args.reps, 'cpu')
    base = statistics.median(times[next(iter(runs))])
    rows = []
    for name, (model, optim, _) in runs.items():
        ids = {id(p) for p in model.backbone.parameters()}
        trainable = sum(p.numel() for p in model.backbone.parameters() if p.requires_grad)
        state = sum(t.numel() for p, s in optim.optimizer.state.items() if id(p) in ids
                    for t in s.values() if torch.is_tensor(t))
        median = statistics.median(times[name])
        rows.append([name, f'{median:.3f}', f'{median / base:.2f}x', f'{trainable:,}',
                     f'{state:,}'])
    table = markdown_table(['backbone', 'median step s', 'vs before',
                            'backbone params with gradients', 'backbone optimiser state'],
                           rows)
    return report('Frozen ConvNeXt-T RetinaNet step', table,
                  dict(size=args.size, batch=args.batch, reps=args.reps), args.out, 'cpu')


if __name__ == '__main__':
    main()

"""Representation quality at equal wall-clock pretraining budget, on imagenette-mini.

    python benchmarks/ssl_small_scale.py                     # 15 min per method on the CPU
    python benchmarks/ssl_small_scale.py --budget-min 3 --seeds 0 1

QB-Heat, LEWEL_B, BagSSL and stock MoCo-v2 each pretrain MF-26M on
../shared/data/imagenette-mini/train (labels unused) for the same wall-clock budget; "none" is
the random initialisation. The frozen backbones are then compared on imagenette-mini/val: kNN
top-1 (k=20, cosine, similarity-weighted votes, train split as memory) on centre-crop features
and on bag-of-patches features (BagSSL's evaluation: the mean embedding of --bag grid patches of
half the image side), and a linear probe (logistic regression on standardised centre-crop
features, full batch). Features: global average pool of the stride-32 map.
"""
import argparse
import os.path as osp
import time

from common import (REPO, bagssl_cfg, build, lars, lewel_cfg, markdown_table, mocov2_cfg,
                    qbheat_cfg, report, train_step)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.dataset import default_collate  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from qbheat_mm.models.utils import patch_boxes, patch_embeddings, pooled_embedding  # noqa: E402,E501

DATA = osp.join(osp.dirname(REPO), 'shared', 'data', 'imagenette-mini')


def pipelines(size: int):
    view = [
        dict(type='RandomResizedCrop', scale=size, crop_ratio_range=(0.2, 1.0),
             backend='pillow', interpolation='bicubic'),
        dict(type='RandomFlip', prob=0.5),
    ]
    moco_view = [view[0],
                 dict(type='RandomApply', prob=0.8, transforms=[dict(
                     type='HueSafeColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
                     hue=0.1)]),
                 dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
                      channel_weights=(0.114, 0.587, 0.2989)),
                 dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf',
                      prob=0.5),
                 view[1]]
    # LEWEL's asymmetric BYOL pair (blur 1.0 / 0.1, solarize 0 / 0.2), crop scale 0.2-1
    lewel_views = [[dict(view[0], interpolation='bilinear'), view[1], *moco_view[1:3],
                    dict(moco_view[3], prob=blur), dict(type='Solarize', thr=128, prob=sol)]
                   for blur, sol in ((1.0, 0.0), (0.1, 0.2))]
    # BagSSL: 8 patches of half the side (as many pixels as two views), each augmented
    bag_view = [dict(type='RandomPatchCrop', patch_size=size // 2), view[1], *moco_view[1:4],
                dict(type='Solarize', thr=128, prob=0.1)]
    load, pack = dict(type='LoadImageFromFile'), dict(type='PackInputs')
    fixed = [dict(type='ResizeEdge', scale=size, edge='short', backend='pillow',
                  interpolation='bicubic'), dict(type='CenterCrop', crop_size=size)]
    return {
        'bagssl': [load, *fixed, dict(type='MultiView', num_views=8, transforms=[bag_view]),
                   pack],
        'lewel': [load, dict(type='MultiView', num_views=[1, 1], transforms=lewel_views), pack],
        'qbheat': [load, *view, pack],
        'mocov2': [load, dict(type='MultiView', num_views=2, transforms=[moco_view]), pack],
        'eval': [load, dict(type='ResizeEdge', scale=size * 8 // 7, edge='short',
                            backend='pillow', interpolation='bicubic'),
                 dict(type='CenterCrop', crop_size=size), pack],
    }


def loader(data: str, split: str, pipeline, batch: int, shuffle: bool, seed: int):
    from mmpretrain.registry import DATASETS
    dataset = DATASETS.build(dict(type='ImageNet', data_root=data, split=split,
                                  pipeline=pipeline))
    return DataLoader(dataset, batch_size=batch, shuffle=shuffle, drop_last=shuffle,
                      num_workers=1, collate_fn=default_collate,
                      generator=torch.Generator().manual_seed(seed))


def pretrain(method: str, args, seed: int):
    """Train for ``args.budget_min`` minutes; returns (model, steps, images)."""
    torch.manual_seed(seed)
    if method == 'none':
        return build(qbheat_cfg(args.arch)), 0, 0
    cfg = {'qbheat': lambda: qbheat_cfg(args.arch), 'lewel': lambda: lewel_cfg(args.arch),
           'bagssl': lambda: bagssl_cfg(args.arch),
           'mocov2': lambda: mocov2_cfg(args.arch, 1024)}[method]()
    model = build(cfg)
    if method in ('lewel', 'bagssl'):   # the CPU demos' LARS recipe (configs/*/*_demo.py)
        optim = lars(model, lr=0.3)
    elif method == 'qbheat':
        optim = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95),
                                  weight_decay=0.05)
    else:  # stock MoCo-v2 recipe, lr scaled to the batch
        optim = torch.optim.SGD(model.parameters(), lr=0.03 * args.batch / 256, momentum=0.9,
                                weight_decay=1e-4)
    data = loader(args.data, 'train', pipelines(args.size)[method], args.batch, True, seed)
    steps, deadline = 0, time.time() + 60 * args.budget_min
    while time.time() < deadline:
        for batch in data:
            batch = model.data_preprocessor(batch, True)
            loss = train_step(model, optim, batch['inputs'], batch['data_samples'])
            steps += 1
            if steps % 20 == 0:
                left = max(0, deadline - time.time())
                print(f'  {method} seed {seed}: step {steps}, loss {loss:.4f}, '
                      f'{left / 60:.1f} min left', flush=True)
            if time.time() >= deadline:
                break
    return model, steps, steps * args.batch


@torch.no_grad()
def features(model, data, bag: int = 0) -> tuple:
    """Centre-crop features (GAP of the last map), or with ``bag`` = m the bag-of-patches
    features: the mean GAP embedding of m grid patches of half the image side."""
    model.eval()
    feats, labels = [], []
    for batch in data:
        batch = model.data_preprocessor(batch, False)
        x = batch['inputs']
        if bag:
            side = x.shape[-1] // 2
            boxes = patch_boxes(tuple(x.shape[-2:]), side, bag)
            feats.append(patch_embeddings(model.backbone, x, boxes, side, 'ssl').mean(dim=1))
        else:
            feats.append(pooled_embedding(model.backbone, x, 'ssl'))
        labels.append(torch.cat([s.gt_label for s in batch['data_samples']]))
    return torch.cat(feats), torch.cat(labels)


def knn_top1(train_x, train_y, val_x, val_y, k: int = 20, t: float = 0.07) -> float:
    train_x, val_x = F.normalize(train_x, dim=1), F.normalize(val_x, dim=1)
    sims, idx = (val_x @ train_x.T).topk(k, dim=1)
    votes = torch.zeros(val_x.size(0), int(train_y.max()) + 1)
    votes.scatter_add_(1, train_y[idx], (sims / t).exp())
    return 100.0 * (votes.argmax(1) == val_y).float().mean().item()


def linear_top1(train_x, train_y, val_x, val_y, steps: int = 300) -> float:
    mean, std = train_x.mean(0), train_x.std(0) + 1e-6
    train_x, val_x = (train_x - mean) / std, (val_x - mean) / std
    torch.manual_seed(0)
    clf = torch.nn.Linear(train_x.size(1), int(train_y.max()) + 1)
    optim = torch.optim.Adam(clf.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(steps):
        optim.zero_grad()
        F.cross_entropy(clf(train_x), train_y).backward()
        optim.step()
    return 100.0 * (clf(val_x).argmax(1) == val_y).float().mean().item()


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--data', default=DATA)
    parser.add_argument('--arch', default='26m')
    parser.add_argument('--size', type=int, default=128, help='pretraining and eval size')
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--budget-min', type=float, default=15.0,
                        help='wall-clock pretraining minutes per method and seed')
    parser.add_argument('--bag', type=int, default=16,
                        help='patches per image of the bag-of-patches kNN (grid, half side)')
    parser.add_argument('--methods', nargs='+',
                        default=['qbheat', 'lewel', 'bagssl', 'mocov2', 'none'],
                        choices=['qbheat', 'lewel', 'bagssl', 'mocov2', 'none'])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0])
    parser.add_argument('--out', default='benchmarks/results/ssl_small_scale.md')
    args = parser.parse_args(argv)
    if not osp.isdir(args.data):
        raise SystemExit(f'imagenette-mini not found at {args.data}; pass --data')
    evals = {split: loader(args.data, split, pipelines(args.size)['eval'], 50, False, 0)
             for split in ('train', 'val')}
    rows = []
    for method in args.methods:
        for seed in args.seeds:
            start = time.time()
            model, steps, seen = pretrain(method, args, seed)
            minutes = (time.time() - start) / 60
            train_x, train_y = features(model, evals['train'])
            val_x, val_y = features(model, evals['val'])
            bag_train, _ = features(model, evals['train'], args.bag)
            bag_val, _ = features(model, evals['val'], args.bag)
            rows.append([method, seed, steps, seen, f'{minutes:.1f}',
                         f'{knn_top1(train_x, train_y, val_x, val_y):.1f}',
                         f'{knn_top1(bag_train, train_y, bag_val, val_y):.1f}',
                         f'{linear_top1(train_x, train_y, val_x, val_y):.1f}'])
            print(' | '.join(map(str, rows[-1])), flush=True)
    table = markdown_table(['method', 'seed', 'steps', 'images seen', 'pretrain min',
                            'kNN top-1 (%)', f'bag-of-{args.bag}-patches kNN top-1 (%)',
                            'linear top-1 (%)'], rows)
    return report('Small-scale SSL at equal wall-clock budget (imagenette-mini, MF-26M)',
                  table, dict(budget_min=args.budget_min, size=args.size, batch=args.batch,
                              arch=args.arch, bag=args.bag), args.out, 'cpu')


if __name__ == '__main__':
    main()

"""Machinery shared by the studies (ssl_study.py, qbheat_ablations.py): data loaders, a
pretraining loop with a compute budget, resumable records, progress with ETA, frozen-feature
probes and mean +- std summaries."""
import json
import os
import os.path as osp
import statistics
import sys
import time
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.dataset import default_collate
from torch.utils.data import DataLoader

from common import train_step  # noqa: E402

from qbheat_mm.evaluation import weighted_knn  # noqa: E402
from qbheat_mm.models.utils import (last_feature_map, patch_boxes,  # noqa: E402
                                    patch_embeddings)


# ------------------------------------------------------------------ data
def loader(data: str, split: str, pipeline, batch: int, shuffle: bool, seed: int,
           workers: int = 1) -> DataLoader:
    """An ImageNet-layout split through an mmpretrain pipeline, seeded."""
    from mmpretrain.registry import DATASETS
    dataset = DATASETS.build(dict(type='ImageNet', data_root=data, split=split,
                                  pipeline=pipeline))
    return DataLoader(dataset, batch_size=batch, shuffle=shuffle, drop_last=shuffle,
                      num_workers=workers, collate_fn=default_collate,
                      generator=torch.Generator().manual_seed(seed))


def eval_pipeline(size: int) -> list:
    return [dict(type='LoadImageFromFile'),
            dict(type='ResizeEdge', scale=size * 8 // 7, edge='short', backend='pillow',
                 interpolation='bicubic'),
            dict(type='CenterCrop', crop_size=size), dict(type='PackInputs')]


def cached_eval_batches(data: str, size: int, workers: int = 1) -> dict:
    """The deterministic centre-crop batches of the train and val splits, decoded once and
    kept in memory (every run of a study probes the same images), and the class count."""
    out = {}
    for split in ('train', 'val'):
        dl = loader(data, split, eval_pipeline(size), 50, False, 0, workers)
        out['num_classes'] = len(dl.dataset.CLASSES)
        out[split] = list(dl)
    return out


# ------------------------------------------------------------------ budgeted pretraining
def budgeted_training(model, optim, data: DataLoader, budget_s: float, label: str,
                      warmup_steps: int = 0, log_every: int = 20,
                      marks: Sequence[float] = (), on_mark: Optional[Callable] = None,
                      start: Tuple[int, float, float] = (0, 0., 0.)
                      ) -> Tuple[int, float, float]:
    """Train until the training steps (forward, backward, optimizer; data loading excluded)
    have used ``budget_s`` seconds of this process's CPU time (``time.process_time``: all
    torch threads count, and other load on the machine does not shorten the budget).
    A linear lr warm-up over ``warmup_steps``. When the training CPU time first reaches
    each of ``marks`` (seconds), ``on_mark(used_s, steps)`` runs (its own time is not
    counted). ``start`` = (steps, wall seconds, CPU seconds) already done by an interrupted
    run of the same unit (its marks up to there are skipped). Returns (steps, wall seconds,
    training CPU seconds used), all including ``start``."""
    base_lrs = [g['lr'] for g in optim.param_groups]
    steps, wall_before, used = start
    pending = sorted(m for m in marks if used < m < budget_s)
    wall = time.time() - wall_before
    while used < budget_s:
        for batch in data:
            if warmup_steps:
                scale = min(1.0, (steps + 1) / warmup_steps)
                for group, lr in zip(optim.param_groups, base_lrs):
                    group['lr'] = lr * scale
            start = time.process_time()
            batch = model.data_preprocessor(batch, True)
            loss = train_step(model, optim, batch['inputs'], batch['data_samples'])
            used += time.process_time() - start
            steps += 1
            if not torch.isfinite(torch.tensor(loss)):
                raise RuntimeError(f'{label}: loss became {loss} at step {steps}')
            if steps % log_every == 0:
                print(f'  {label}: step {steps}, loss {loss:.4f}, '
                      f'{max(0., budget_s - used):.0f} CPU s left', flush=True)
            while pending and used >= pending[0]:
                pending.pop(0)
                if on_mark is not None:
                    model.eval()
                    on_mark(used, steps)
                    model.train()
            if used >= budget_s:
                break
    return steps, time.time() - wall, used


# ------------------------------------------------------------------ records and progress
class Records:
    """One JSON object per line, appended and flushed as each run finishes; a rerun skips
    the keys already present (so an interrupted study resumes where it stopped)."""

    def __init__(self, path: str, settings: Dict[str, object]) -> None:
        self.path, self.settings = path, settings
        self.rows: List[dict] = []
        if osp.isfile(path):
            with open(path) as f:
                self.rows = [json.loads(line) for line in f if line.strip()]
        stale = [r for r in self.rows if r.get('settings') != settings]
        if stale:
            raise SystemExit(
                f'{path} holds {len(stale)} runs made with other settings '
                f'({stale[0].get("settings")}); pass another --records file or delete it')

    def done(self, **key) -> Optional[dict]:
        for row in self.rows:
            if all(row.get(k) == v for k, v in key.items()):
                return row
        return None

    def add(self, row: dict) -> None:
        row = dict(row, settings=self.settings)
        os.makedirs(osp.dirname(osp.abspath(self.path)), exist_ok=True)
        with open(self.path, 'a') as f:
            f.write(json.dumps(row) + '\n')
            f.flush()
        self.rows.append(row)


class Progress:
    """``[k/n] label ... elapsed, ETA`` lines; the ETA scales the mean time of the runs done
    in this process by the weight (budget) of the runs left."""

    def __init__(self, weights: Sequence[float]) -> None:
        self.weights, self.start, self.done_weight, self.k = list(weights), time.time(), 0., 0

    def step(self, label: str, weight: float, skipped: bool = False) -> None:
        self.k += 1
        left = sum(self.weights[self.k:])
        if not skipped:
            self.done_weight += weight
        elapsed = time.time() - self.start
        eta = elapsed / self.done_weight * left if self.done_weight else float('nan')
        state = 'skipped (done before)' if skipped else 'done'
        print(f'[{self.k}/{len(self.weights)}] {label} {state}; elapsed {elapsed / 60:.1f} '
              f'min, ETA {eta / 60:.1f} min', file=sys.stderr, flush=True)


def run_all(jobs: Sequence[Tuple[str, str, int]], records: Records,
            run_one: Callable[[str, int], dict], weight: Callable[[str], float] = None,
            digits: int = 1) -> None:
    """Run every ``(key, name, seed)`` job that ``records`` does not hold yet (``key`` is the
    record field naming it, e.g. 'method'), append each result as it finishes, print it and a
    progress line with ETA (``weight(name)`` scales a job's expected time)."""
    weights = [weight(name) if weight else 1. for _, name, _ in jobs]
    progress = Progress(weights)
    for (key, name, seed), w in zip(jobs, weights):
        label = f'{name} seed {seed}'
        if records.done(**{key: name, 'seed': seed}):
            progress.step(label, w, skipped=True)
            continue
        start = time.time()
        row = run_one(name, seed)
        row['total_s'] = round(time.time() - start, 1)
        records.add(row)
        print(' | '.join(f'{k}={v:.{digits}f}' if isinstance(v, float) else f'{k}={v}'
                         for k, v in row.items()), flush=True)
        progress.step(label, w)


# ------------------------------------------------------------------ frozen features
@torch.no_grad()
def extract(backbone: Callable, preprocess: Callable, data: Iterable, bag: int = 0,
            maps: bool = True) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(pooled (N, C), last maps (N, C, h, w) or None when not ``maps``, labels (N, )) of the
    frozen ``backbone``; with ``bag`` = m, pooled is the bag-of-patches feature instead: the
    mean pooled embedding of m grid patches of half the image side (BagSSL's evaluation)."""
    keep_maps = maps
    pooled, maps, labels = [], [], []
    for batch in data:
        batch = preprocess(batch)
        x = batch['inputs']
        if bag:
            side = x.shape[-1] // 2
            boxes = patch_boxes(tuple(x.shape[-2:]), side, bag)
            pooled.append(patch_embeddings(backbone, x, boxes, side, 'study').mean(dim=1))
        else:
            fmap = last_feature_map(backbone(x), 'study')
            if keep_maps:
                maps.append(fmap)
            pooled.append(fmap.mean(dim=(2, 3)))
        labels.append(torch.cat([s.gt_label for s in batch['data_samples']]))
    return torch.cat(pooled), (torch.cat(maps) if maps else None), torch.cat(labels)


def knn_top1(train_x, train_y, val_x, val_y, k: int = 20, t: float = 0.07) -> float:
    """k-NN top-1 (%) with cosine similarity and exp(sim / t)-weighted votes (the plugin's
    :func:`weighted_knn`, the one the KNNAccuracy metric uses)."""
    pred = weighted_knn(train_x, train_y, val_x, k, t, topk=(1, ))
    return 100.0 * (pred[:, 0] == val_y).float().mean().item()


def linear_top1(train_x, train_y, val_x, val_y, steps: int = 300) -> float:
    """Logistic regression on standardised features (Adam, full batch), top-1 (%)."""
    mean, std = train_x.mean(0), train_x.std(0) + 1e-6
    train_x, val_x = (train_x - mean) / std, (val_x - mean) / std
    torch.manual_seed(0)
    clf = torch.nn.Linear(train_x.size(1), int(train_y.max()) + 1)
    optim = torch.optim.Adam(clf.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(steps):
        optim.zero_grad()
        F.cross_entropy(clf(train_x), train_y).backward()
        optim.step()
    with torch.no_grad():
        return 100.0 * (clf(val_x).argmax(1) == val_y).float().mean().item()


def transformer_probe_top1(train_maps, train_y, val_maps, val_y, epochs: int = 30,
                           batch: int = 64, embed_dims: int = 128) -> float:
    """The paper's non-linear probe on frozen maps: :class:`TransformerProbeNeck` (one
    transformer block, [CLS] output) + a linear classifier, AdamW, top-1 (%). Maps are
    standardised per channel with the train statistics."""
    from mmpretrain.registry import MODELS
    mean = train_maps.mean(dim=(0, 2, 3), keepdim=True)
    std = train_maps.std(dim=(0, 2, 3), keepdim=True) + 1e-6
    train_maps, val_maps = (train_maps - mean) / std, (val_maps - mean) / std
    torch.manual_seed(0)
    neck = MODELS.build(dict(type='TransformerProbeNeck', in_channels=train_maps.size(1),
                             embed_dims=embed_dims, num_heads=4, mlp_ratio=2.))
    neck.init_weights()
    clf = torch.nn.Linear(embed_dims, int(train_y.max()) + 1)
    params = list(neck.parameters()) + list(clf.parameters())
    optim = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05)
    g = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        order = torch.randperm(len(train_maps), generator=g)
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            loss = F.cross_entropy(clf(neck((train_maps[idx], ))[0]), train_y[idx])
            optim.zero_grad()
            loss.backward()
            optim.step()
    neck.eval()
    with torch.no_grad():
        logits = torch.cat([clf(neck((val_maps[i:i + 256], ))[0])
                            for i in range(0, len(val_maps), 256)])
    return 100.0 * (logits.argmax(1) == val_y).float().mean().item()


# ------------------------------------------------------------------ summaries
def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    return (statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.)


def summarise(rows: Sequence[dict], key: str, names: Sequence[str], metrics: Sequence[str]
              ) -> Dict[str, Dict[str, Tuple[float, float]]]:
    """{name: {metric: (mean, std over seeds)}} for the names that have records."""
    out = {}
    for name in names:
        runs = [r for r in rows if r[key] == name]
        if runs:
            out[name] = {m: mean_std([r[m] for r in runs]) for m in metrics
                         if all(r.get(m) is not None for r in runs)}
            out[name]['seeds'] = (len(runs), 0.)
    return out


def fmt(value: Tuple[float, float], digits: int = 1, seeds: int = 2) -> str:
    """``mean ± std``; the mean alone for one seed (no spread to show)."""
    if seeds < 2:
        return f'{value[0]:.{digits}f}'
    return f'{value[0]:.{digits}f} ± {value[1]:.{digits}f}'

"""Machinery shared by the studies (ssl_study.py, qbheat_ablations.py): data loaders, a
pretraining loop with a compute budget, resumable records, progress with ETA, frozen-feature
probes and mean +- std summaries."""
import json
import math
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


# Display names of the studies' methods and QB-Heat variants, shared by their reports.
DISPLAY_NAMES = {'qbheat': 'QB-Heat', 'qbheat-local': 'QB-Heat (local decoder)',
                 'qbheat-recurrent-finola': 'QB-Heat (recurrent + FINOLA)',
                 'qbheat-loss-full': 'QB-Heat (full-image loss)', 'mocov2': 'MoCo-v2',
                 'vicreg': 'VICReg', 'supervised': 'supervised', 'none': 'random init'}


# ------------------------------------------------------------------ process
def keep_freed_memory() -> bool:
    """Tell glibc's allocator to keep freed memory in the process instead of returning it
    to the kernel after every batch (``mallopt``: trim threshold 2 GiB, mmap threshold
    32 MiB, its maximum). Probing a frozen backbone allocates and frees the same large
    tensors batch after batch; by default the heap top is trimmed with ``brk`` and refilled
    through page faults each time. Measured on MF-26M at 256 px, 400 cached val images on
    one thread: 3.9 s user + 2.2 s system by default, 3.6 s + 0.3 s with this. Numerics are
    unchanged. Returns False (and changes nothing) where the C library has no ``mallopt``."""
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library('c'))
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_trim_threshold, 2**31 - 1)) and bool(
        mallopt(m_mmap_threshold, 32 * 2**20))


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
def tree_cpu_s() -> float:
    """CPU seconds (user + system) of this process, its reaped children and its live
    children (the data-loading workers), from ``getrusage`` and ``/proc``: the whole-process
    cost of training, workers included."""
    import resource
    total = 0.
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    tick = os.sysconf('SC_CLK_TCK')
    for pid in _children():
        try:
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:         # it ended meanwhile (and is counted as reaped, or soon)
            continue
        total += (int(fields[11]) + int(fields[12])) / tick   # utime, stime
    return total


def _children() -> List[str]:
    """Pids of this process's live children (every thread's ``children`` list, or a scan of
    ``/proc`` for the parent pid where the kernel has no such list)."""
    tasks = f'/proc/{os.getpid()}/task'
    try:
        kids = []
        for tid in os.listdir(tasks):
            with open(f'{tasks}/{tid}/children') as f:
                kids += f.read().split()
        return kids
    except OSError:
        me, kids = str(os.getpid()), []
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                with open(f'/proc/{pid}/stat') as f:
                    if f.read().rsplit(')', 1)[1].split()[1] == me:
                        kids.append(pid)
            except OSError:
                pass
        return kids


def budgeted_training(model, optim, data: DataLoader, budget_s: float, label: str,
                      warmup_steps: int = 0, log_every: int = 20,
                      marks: Sequence[float] = (), on_mark: Optional[Callable] = None,
                      start: Tuple[int, float, float] = (0, 0., 0.),
                      max_steps: Optional[int] = None,
                      set_lr: Optional[Callable[[int], None]] = None
                      ) -> Tuple[int, float, float]:
    """Train until the budget is spent and return (steps, wall seconds, budget used).

    Two kinds of budget:

    - ``max_steps`` given: exactly that many optimiser steps, whatever the machine's load
      (the same work for every seed; ``budget_s`` is ignored). ``marks`` are step counts
      and the budget used is the whole-process CPU seconds of the training (this process
      and its data-loading workers, :func:`tree_cpu_s`; the marks' own work excluded).
    - otherwise: until the training steps (forward, backward, optimizer; data loading
      excluded) have used ``budget_s`` seconds of this process's CPU time
      (``time.process_time``); ``marks`` are CPU seconds.

    The lr follows ``set_lr(step)`` when given (a whole-run schedule), else a linear
    warm-up over ``warmup_steps``. When the budget used first reaches each of ``marks``,
    ``on_mark(used, steps)`` runs. ``start`` = (steps, wall seconds, budget used) already
    done by an interrupted run of the same unit (its marks up to there are skipped). All
    returned figures include ``start``."""
    base_lrs = [g['lr'] for g in optim.param_groups]
    steps, wall_before, used = start
    by_steps = max_steps is not None
    limit = max_steps if by_steps else budget_s
    pending = sorted(m for m in marks if (steps if by_steps else used) < m < limit)
    wall = time.time() - wall_before
    clock = tree_cpu_s()

    def spent() -> float:
        return steps if by_steps else used

    while spent() < limit:
        for batch in data:
            if set_lr is not None:
                set_lr(steps)
            elif warmup_steps:
                scale = min(1.0, (steps + 1) / warmup_steps)
                for group, lr in zip(optim.param_groups, base_lrs):
                    group['lr'] = lr * scale
            t0 = time.process_time()
            batch = model.data_preprocessor(batch, True)
            loss = train_step(model, optim, batch['inputs'], batch['data_samples'])
            steps += 1
            if by_steps:
                now = tree_cpu_s()
                used, clock = used + now - clock, now
            else:
                used += time.process_time() - t0
            if not torch.isfinite(torch.tensor(loss)):
                raise RuntimeError(f'{label}: loss became {loss} at step {steps}')
            if steps % log_every == 0:
                left = (f'{max_steps - steps} steps' if by_steps else
                        f'{max(0., budget_s - used):.0f} CPU s')
                print(f'  {label}: step {steps}, loss {loss:.4f}, {left} left', flush=True)
            while pending and spent() >= pending[0]:
                pending.pop(0)
                if on_mark is not None:
                    model.eval()
                    on_mark(used, steps)
                    model.train()
                clock = tree_cpu_s()
            if spent() >= limit:
                break
    return steps, time.time() - wall, used


def load_partial(path: str, model, optim) -> Tuple[list, Tuple[int, float, float]]:
    """(curve, start) of a unit interrupted after a curve point, its model, optimiser and
    torch RNG restored from ``path``; ([], (0, 0, 0)) when there is none."""
    if not osp.isfile(path):
        return [], (0, 0., 0.)
    state = torch.load(path, map_location='cpu', weights_only=False)
    model.load_state_dict(state['model'])
    optim.load_state_dict(state['optim'])
    torch.set_rng_state(state['rng'])
    return state['curve'], tuple(state['start'])


def save_partial(path: str, model, optim, curve: list, start: Sequence[float]) -> None:
    """Save a unit's state at a curve point (``start`` = steps, wall s, budget used)
    atomically: a kill while writing leaves the previous one."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    torch.save(dict(model=model.state_dict(), optim=optim.state_dict(), curve=curve,
                    rng=torch.get_rng_state(), start=list(start)), path + '.tmp')
    os.replace(path + '.tmp', path)


# ------------------------------------------------------------------ records and progress
class Records:
    """One JSON object per line, appended and flushed as each run finishes; a rerun skips
    the keys already present (so an interrupted study resumes where it stopped)."""

    def __init__(self, path: str, settings: Dict[str, object]) -> None:
        self.path, self.settings = path, settings
        self.rows: List[dict] = []
        self.reload()

    def reload(self) -> 'Records':
        """Read the file again: another process (the study's other lane) may have appended
        runs since this one started, and a report must not drop them."""
        if not (self.path and osp.isfile(self.path)):
            return self
        with open(self.path) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        stale = [r for r in rows if r.get('settings') != self.settings]
        if stale:
            raise SystemExit(
                f'{self.path} holds {len(stale)} runs made with other settings '
                f'({stale[0].get("settings")}); pass another --records file or delete it')
        self.rows = rows
        return self

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
# patches per backbone call of the bag-of-patches features, bounded so that the activations stay
# small: 50 images x 16 patches of 128 px in one call spent more CPU in page faults (system
# time) than in convolutions. Measured on 4 val batches of the 256-px study with the MoCo-v2
# backbone: 6.0 -> 3.0 CPU s per batch, features bitwise equal to one call's.
BAG_PATCHES_PER_CALL = 64


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
            pooled.append(patch_embeddings(backbone, x, boxes, side, 'study',
                                           max_patches=BAG_PATCHES_PER_CALL).mean(dim=1))
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


def difference(a: Tuple[float, float], na: int, b: Tuple[float, float], nb: int,
               digits: int = 1) -> str:
    """``a − b`` of two (mean, std) summaries over ``na`` and ``nb`` seeds, signed, with ± the
    standard error of the difference of the means, sqrt(sa² / na + sb² / nb), only when both
    have at least 2 seeds (one seed has no spread to show)."""
    text = f'{a[0] - b[0]:+.{digits}f}'
    if min(na, nb) >= 2:
        text += f' ± {math.sqrt(a[1] ** 2 / na + b[1] ** 2 / nb):.{digits}f}'
    return text


# ------------------------------------------------------------------ the augmented token probe
@torch.no_grad()
def token_features(backbone, preprocess: Callable, data: Iterable
                   ) -> Tuple[torch.Tensor, Optional[torch.Tensor], torch.Tensor]:
    """(last maps (N, C, h, w), global tokens (N, M, d) or None, labels (N, )) of a frozen
    backbone, stored as float16. Mobile-Former's tokens are taken with ``return_tokens``;
    a backbone without tokens gives None."""
    had = getattr(backbone, 'return_tokens', None)
    if had is not None:
        backbone.return_tokens = True
    maps, tokens, labels = [], [], []
    try:
        for batch in data:
            batch = preprocess(batch)
            outs = backbone(batch['inputs'])
            outs = (outs, ) if isinstance(outs, torch.Tensor) else outs
            maps.append(last_feature_map(outs, 'token_features').half())
            if had is not None and outs[-1].dim() == 3:
                tokens.append(outs[-1].half())
            labels.append(torch.cat([s.gt_label for s in batch['data_samples']]))
    finally:
        if had is not None:
            backbone.return_tokens = had
    return torch.cat(maps), (torch.cat(tokens) if tokens else None), torch.cat(labels)


def token_probe_top1(train_copies: Sequence[Tuple[torch.Tensor, Optional[torch.Tensor]]],
                     train_y: torch.Tensor, val_maps: torch.Tensor,
                     val_tokens: Optional[torch.Tensor], val_y: torch.Tensor,
                     epochs: int = 40, batch: int = 256, embed_dims: int = 128,
                     num_heads: int = 4, lr: float = 1e-3, weight_decay: float = 0.05,
                     warmup_epochs: int = 3, seed: int = 0, pool: str = 'cls',
                     pooled_skip: bool = False) -> float:
    """QB-Heat's non-linear probe as the plugin's ImageNet config runs it, on cached features:
    the last map's cells and the backbone's global tokens -> :class:`TransformerProbeNeck`
    (one transformer block; its [CLS] output, or with ``pool='mean'`` the mean of its cell and
    token outputs) -> Linear, top-1 (%) on the val features.

    Training sees augmented images: ``train_copies`` holds K (maps (N, C, h, w), tokens
    (N, M, d) or None) feature sets of K random-resized-crop + flip views of the same N
    images, and every epoch draws one of the K views of each image. Features are standardised
    per channel with the train statistics. AdamW (no decay on norms, biases, [CLS]), linear
    warm-up over ``warmup_epochs`` then cosine to 0, per step.

    ``pooled_skip``: the classifier reads the block's [CLS] output (``embed_dims``) beside the
    map's average-pooled cells (C, standardised with the train statistics of the pooled
    features): the linear probe's input is then one of the probe's own inputs, so the block
    adds to what a linear classifier reads instead of having to relearn it through its
    ``embed_dims`` projection."""
    from mmpretrain.registry import MODELS
    maps = torch.stack([m for m, _ in train_copies])             # (K, N, C, h, w)
    toks = (torch.stack([t for _, t in train_copies]) if train_copies[0][1] is not None
            else None)
    mean = maps.float().mean(dim=(0, 1, 3, 4)).view(1, -1, 1, 1)
    std = maps.float().std(dim=(0, 1, 3, 4)).view(1, -1, 1, 1) + 1e-6
    pooled = maps.float().mean(dim=(3, 4))                        # (K, N, C)
    p_mean, p_std = pooled.mean(dim=(0, 1)), pooled.std(dim=(0, 1)) + 1e-6
    if toks is not None:
        t_mean, t_std = toks.float().mean(dim=(0, 1, 2)), toks.float().std(dim=(0, 1, 2)) + 1e-6

    def inputs(m, t):
        m = (m.float() - mean) / std
        return (m, ) if t is None else (m, (t.float() - t_mean) / t_std)

    def logits_of(m, t):
        out = neck(inputs(m, t))[0]                               # (B, embed_dims)
        if pooled_skip:
            out = torch.cat([out, (m.float().mean(dim=(2, 3)) - p_mean) / p_std], dim=1)
        return clf(out)

    torch.manual_seed(seed)
    neck = MODELS.build(dict(type='TransformerProbeNeck', in_channels=maps.size(2),
                             embed_dims=embed_dims, num_heads=num_heads, mlp_ratio=4.,
                             token_dims=None if toks is None else toks.size(-1), pool=pool))
    neck.init_weights()
    clf = torch.nn.Linear(embed_dims + (maps.size(2) if pooled_skip else 0),
                          int(train_y.max()) + 1)
    torch.nn.init.trunc_normal_(clf.weight, std=0.02)
    torch.nn.init.zeros_(clf.bias)
    decay = [p for n, p in neck.named_parameters() if p.dim() > 1 and 'cls_token' not in n]
    plain = [p for n, p in neck.named_parameters() if p.dim() <= 1 or 'cls_token' in n]
    optim = torch.optim.AdamW([dict(params=decay + [clf.weight]),
                               dict(params=plain + [clf.bias], weight_decay=0.)],
                              lr=lr, weight_decay=weight_decay)
    n, k = maps.size(1), maps.size(0)
    per_epoch = (n + batch - 1) // batch
    total, warm = epochs * per_epoch, warmup_epochs * per_epoch
    g = torch.Generator().manual_seed(seed)
    step = 0
    for _ in range(epochs):
        order = torch.randperm(n, generator=g)
        view = torch.randint(0, k, (n, ), generator=g)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            v = view[idx]
            factor = ((step + 1) / warm if step < warm else
                      0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm))))
            for group in optim.param_groups:
                group['lr'] = lr * factor
            loss = F.cross_entropy(logits_of(maps[v, idx], None if toks is None else
                                             toks[v, idx]), train_y[idx])
            optim.zero_grad()
            loss.backward()
            optim.step()
            step += 1
    neck.eval()
    with torch.no_grad():
        logits = torch.cat([
            logits_of(val_maps[i:i + 256], None if val_tokens is None else val_tokens[i:i + 256])
            for i in range(0, len(val_maps), 256)])
    return 100.0 * (logits.argmax(1) == val_y).float().mean().item()

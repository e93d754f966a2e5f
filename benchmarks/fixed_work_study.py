"""The study at QB-Heat's own geometry: every method for the same work, each with its own
recipe and an equal lr search, five probes (``ssl_study.py --preset imagenette-256``).

    python benchmarks/ssl_study.py --preset imagenette-256 --phase calibrate   # idle machine
    python benchmarks/ssl_study.py --preset imagenette-256 --phase search --methods qbheat
    python benchmarks/ssl_study.py --preset imagenette-256 --phase screen
    python benchmarks/ssl_study.py --preset imagenette-256 --phase full --methods mocov2 \
        --seeds 0 1 2
    python benchmarks/ssl_study.py --preset imagenette-256 --report-only

Geometry: MF-26M pretrained at 256 px on the train split (QB-Heat encodes the 128-px quarter:
a 4 x 4 map extrapolated to 8 x 8); every probe runs on 256-px views of the same images
(centre crops: short side to 292, crop 256; the token probe trains on random-resized crops of
256). The shared Imagenette copy is 224 x 224, so the 256-px views are upsampled a little, for
every method alike.

Phases, each resumable (a rerun skips the units recorded in ``--records``; a unit interrupted
mid-run continues from its last sixth):

1. ``calibrate``: a few steps of every method on an idle machine, one torch thread and one
   data worker, measuring whole-process CPU seconds per step (main process and its workers,
   ``study.tree_cpu_s``). The budget B is QB-Heat's cost of ``--epochs`` epochs; every method
   gets ``round(B / its cost per step)`` optimiser steps: the same compute, bounded by steps,
   so machine load changes only the wall time. Written to ``--calibration``.
2. ``search``: each method of :data:`SEARCH` with its config's recipe (``recipes.py``) and the
   lr of its scaling rule times each of :data:`LR_MULTS`, at a quarter of its budget, seed 0,
   scored by kNN and linear probe; a diverged run is recorded as such. Where the best factor
   lies on an edge of the factors run, the grid grows by one more factor of :data:`LR_STEP`
   past that edge (at most :data:`MAX_EXTENSIONS` times, stopping at a diverged run), the same
   rule for every method. The full runs use the factor with the best linear top-1.
3. ``screen``: QB-Heat's design choices at the same quarter budget and QB-Heat's best lr
   (:data:`VARIANTS`: the local decoder that cannot attend to the visible quarter, cell-by-cell
   recurrent steps with FINOLA normalisation, the loss on the full image).
4. ``full``: the whole budget, kNN and linear probe at ``--curve-points`` evenly spaced steps,
   the final backbone saved (outside git, path and SHA-256 recorded) and four probes: kNN,
   bag-of-patches kNN, linear and the transformer probe on the last map (as the 128-px
   study); then the unit's token probe, as in ``token-probe``.
5. ``token-probe``: the token probe (one transformer block on the map's cells and
   Mobile-Former's global tokens, its [CLS] output read beside the pooled map, trained on
   augmented views and the centre crop, :func:`study.token_probe_top1`, :data:`TOKEN_PROBE`)
   of every full unit not yet probed, from the unit's kept backbone (its SHA-256 checked), in
   records of its own (``--token-records``). A change to the probe refuses the old probe
   records, and a rerun probes every unit again from the same backbones.
"""
import argparse
import hashlib
import json
import math
import os
import os.path as osp
import time
from typing import Dict, List, Optional

from common import REPO, build, markdown_table, qbheat_cfg, report

import torch  # noqa: E402

from recipes import build_recipe  # noqa: E402
from study import (DISPLAY_NAMES, Records, budgeted_training,  # noqa: E402
                   cached_eval_batches, difference, extract, fmt, keep_freed_memory,
                   knn_top1, linear_top1, load_partial, loader, mean_std, run_all,
                   save_partial, token_features, token_probe_top1, transformer_probe_top1)

LR_MULTS = (2., 8., 32.)
LR_STEP = 4.  # the ratio between neighbouring factors, also for the grid's extensions
MAX_EXTENSIONS = 2  # per edge: a best factor still on the edge after these is reported so
SEARCH = ('qbheat', 'mocov2', 'vicreg', 'supervised')
# QB-Heat variants screened (model-config changes over the study's QB-Heat)
VARIANTS: Dict[str, dict] = {
    'qbheat': {},
    'qbheat-local': dict(head=dict(decoder=dict(attention='local'))),
    'qbheat-recurrent-finola': dict(neck=dict(mode='recurrent', step_norm='finola')),
    'qbheat-loss-full': dict(head=dict(loss_region='full')),
}
METHODS = tuple(VARIANTS) + ('mocov2', 'vicreg', 'supervised', 'none')
# the token probe's recipe (beside --probe-copies and --token-probe-epochs): its train views
# are random-resized crops of this scale range and flips, plus the val-like centre crop
TOKEN_PROBE = dict(crop_scale=(0.35, 1.0), centre_view=True, pool='cls', pooled_skip=True)
PROBES = {'knn': 'kNN', 'bag_knn': 'bag-of-patches kNN', 'linear': 'linear',
          'transformer': 'transformer probe (map)',
          'token_probe': 'token probe (map + tokens, aug.)'}
PRESET = dict(data='../shared/data/imagenette', arch='26m', size=256, batch=32, epochs=20.,
              curve_points=6, records='benchmarks/results/ssl_study_imagenette256.jsonl',
              calibration='benchmarks/results/ssl_study_imagenette256_calibration.json',
              out='benchmarks/results/ssl_study_imagenette256.md',
              work_dir='work_dirs/ssl_study_imagenette256')


def repo_path(path: str) -> str:
    """A path as given (relative paths are relative to the repository root)."""
    return path if osp.isabs(path) else osp.join(REPO, path)


def portable(path: str) -> str:
    """``path`` relative to the repository root: what records hold, so that they read the
    same in a clone at any other place (``../shared/...`` for the shared data)."""
    return osp.relpath(osp.abspath(repo_path(path)), REPO)


def merge(base: dict, change: dict) -> dict:
    out = dict(base)
    for k, v in change.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def model_for(method: str, arch: str, size: int, num_classes: int):
    from ssl_study import model_and_optimizer
    if method in VARIANTS:
        return build(merge(qbheat_cfg(arch), VARIANTS[method]))
    args = argparse.Namespace(arch=arch, size=size, batch=1)
    return model_and_optimizer(method, args, num_classes)[0]


def seeded_model(method: str, seed: int, args, num_classes: int):
    """``method``'s model as a unit of seed ``seed`` starts it: a random-init unit's backbone
    is exactly this, so :func:`rebuild_random_init` rebuilds it bitwise through it."""
    torch.manual_seed(seed)
    from mmengine.logging import MessageHub
    MessageHub.get_current_instance().update_info('iter', -1)
    return model_for(method, args.arch, args.size, num_classes)


def train_pipeline(method: str, size: int) -> list:
    from ssl_study import pipelines
    return pipelines(size)[method.split('-')[0]]


LOST_BACKBONE_FIX = ('put the file back, or train another seed of the method '
                     '(ssl_study.py --preset imagenette-256 --phase full --methods M --seeds N), '
                     'which keeps its own')


def checked_backbone(name: str, path: str, recorded: Optional[str]) -> str:
    """The SHA-256 of the kept backbone ``path`` of unit ``name``; one clear error when the
    file is missing or is not the one whose SHA-256 the study ``recorded`` (None: unchecked)."""
    if not path or not osp.isfile(repo_path(path)):
        raise SystemExit(f'{name}: its backbone {path} is not on this machine (kept backbones '
                         f'live outside git): {LOST_BACKBONE_FIX}')
    digest = sha256(repo_path(path))
    if recorded and digest != recorded:
        raise SystemExit(f'{name}: {path} has SHA-256 {digest[:12]}..., the study recorded '
                         f'{recorded[:12]}...: not the backbone it measured; put that file back')
    return digest


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------ calibration
def calibrate(args, num_train: int) -> dict:
    """Whole-process CPU seconds per step of every method (after ``--calib-warmup`` steps),
    the budget B and every method's steps; written to ``args.calibration``. Methods measured
    before and not named now keep their figures (so one method can be measured again, e.g.
    once the images are in the page cache as they are during training)."""
    costs = {}
    if osp.isfile(repo_path(args.calibration)):
        with open(repo_path(args.calibration)) as f:
            old = json.load(f)
        if (old['batch'], old['train_images']) == (args.batch, num_train):
            costs = {m: {k: v for k, v in c.items() if k not in ('steps', 'epochs')}
                     for m, c in old['methods'].items()}
    for method in [m for m in args.methods if m != 'none']:
        torch.manual_seed(0)
        model = model_for(method, args.arch, args.size, args.num_classes)
        optim, set_lr, _ = build_recipe(method, model, args.batch)
        data = loader(args.data_abs, 'train', train_pipeline(method, args.size), args.batch,
                      True, 0, args.workers)
        total = args.calib_warmup + args.calib_steps
        marks, at = [args.calib_warmup], {}
        steps, wall, used = budgeted_training(
            model, optim, data, 0., f'calibrate {method}', max_steps=total,
            marks=marks, on_mark=lambda u, s: at.update(used=u, wall=time.time()),
            set_lr=lambda s: set_lr(s, 10 * total), log_every=10 ** 9)
        per_step = (used - at['used']) / args.calib_steps
        costs[method] = dict(cpu_s_per_step=round(per_step, 4), steps_timed=args.calib_steps,
                             wall_s_per_step=round((time.time() - at['wall']) /
                                                   args.calib_steps, 4))
        print(f'calibrate {method}: {per_step:.3f} CPU s per step (whole process)', flush=True)
    if 'qbheat' not in costs:
        raise SystemExit('the budget is defined by QB-Heat\'s cost: calibrate qbheat too')
    ref = costs['qbheat']['cpu_s_per_step']
    ref_steps = math.ceil(args.epochs * num_train / args.batch)
    budget = ref * ref_steps
    for method, c in costs.items():
        c['steps'] = max(1, round(budget / c['cpu_s_per_step']))
        c['epochs'] = round(c['steps'] * args.batch / num_train, 2)
    out = dict(budget_cpu_s=round(budget, 1), reference='qbheat', epochs=args.epochs,
               train_images=num_train, batch=args.batch, threads=torch.get_num_threads(),
               workers=args.workers, date=time.strftime('%Y-%m-%d'), methods=costs)
    os.makedirs(osp.dirname(repo_path(args.calibration)), exist_ok=True)
    with open(repo_path(args.calibration), 'w') as f:
        json.dump(out, f, indent=1)
    print(f'budget: {budget:.0f} CPU s per unit ({args.epochs:g} QB-Heat epochs); written to '
          f'{args.calibration}', flush=True)
    return out


def load_calibration(args) -> dict:
    path = repo_path(args.calibration)
    if not osp.isfile(path):
        raise SystemExit(f'no calibration at {args.calibration}; run --phase calibrate first '
                         f'(on an idle machine)')
    with open(path) as f:
        return json.load(f)


def steps_of(method: str, calib: dict, fraction: float) -> int:
    if method not in calib['methods']:
        raise SystemExit(f'{method} is not in the calibration; rerun --phase calibrate with '
                         f'--methods including it')
    return max(1, int(round(calib['methods'][method]['steps'] * fraction)))


def phase_runs(rows: List[dict], phase: str, method: Optional[str] = None,
               finite: bool = False) -> List[dict]:
    """The records of ``phase`` ('search', 'screen' or 'full'), of ``method`` only if given,
    and only those that did not diverge if ``finite``."""
    return [r for r in rows if r.get('phase') == phase
            and (method is None or r['method'] == method) and not (finite and r.get('diverged'))]


def search_runs(records: Records, method: str, finite: bool = False) -> List[dict]:
    """The lr-search records of ``method`` (only those that did not diverge if ``finite``)."""
    return phase_runs(records.rows, 'search', method, finite)


def search_todo(records: Records, method: str) -> List[float]:
    """The lr factors of ``method``'s search still to run: the missing ones of
    :data:`LR_MULTS`, else one factor :data:`LR_STEP` past the edge where the best linear top-1
    lies (unless that edge already grew :data:`MAX_EXTENSIONS` times or its last factor
    diverged); empty when the search is finished."""
    done = {r['lr_mult'] for r in search_runs(records, method)}
    missing = [m for m in LR_MULTS if m not in done]
    if missing:
        return missing
    ok = search_runs(records, method, finite=True)
    if not ok:
        return []
    best = max(ok, key=lambda r: r['linear'])['lr_mult']
    grown_up = sum(m > max(LR_MULTS) for m in done)
    grown_down = sum(m < min(LR_MULTS) for m in done)
    return [nxt for edge, nxt, grown in ((max(done), best * LR_STEP, grown_up),
                                         (min(done), best / LR_STEP, grown_down))
            if best == edge and grown < MAX_EXTENSIONS and nxt not in done]


def best_lr_mult(records: Records, method: str) -> float:
    """The search factor with the best linear top-1 of ``method`` (QB-Heat's for variants)."""
    base = 'qbheat' if method in VARIANTS else method
    todo = search_todo(records, base)
    if todo:
        raise SystemExit(f'the lr search of {base} is not finished (factors '
                         f'{", ".join(f"x{m:g}" for m in todo)} still to run); run --phase '
                         f'search --methods {base} first')
    runs = search_runs(records, base, finite=True)
    if not runs:
        raise SystemExit(f'every lr factor of {base} diverged; lower LR_MULTS')
    return max(runs, key=lambda r: r['linear'])['lr_mult']


def best_variant(records: Records) -> str:
    """The QB-Heat variant of :data:`VARIANTS` with the best linear top-1 in the screen
    (the default's score: its best search run, at the same budget and lr)."""
    best = best_lr_mult(records, 'qbheat')
    scores = {'qbheat': next(r['linear'] for r in search_runs(records, 'qbheat')
                             if r['lr_mult'] == best)}
    for r in phase_runs(records.rows, 'screen', finite=True):
        scores[r['method']] = r['linear']
    missing = [v for v in VARIANTS if v not in scores]
    if missing and not all(records.done(phase='screen', method=v) for v in missing):
        raise SystemExit(f'the screen is not finished ({", ".join(missing)} missing); run '
                         f'--phase screen first')
    return max(scores, key=scores.get)


# ------------------------------------------------------------------ one unit
def run_unit(method: str, seed: int, phase: str, lr_mult: float, steps: int, args,
             evals: dict) -> dict:
    model = seeded_model(method, seed, args, evals['num_classes'])
    unit = f'{phase}_{method}_x{lr_mult:g}_seed{seed}'
    row = dict(unit=unit, phase=phase, method=method, seed=seed, lr_mult=lr_mult, steps=0,
               curve=[])

    def preprocess(batch):
        return model.data_preprocessor(batch, False)

    def pooled(split):
        return extract(model.backbone, preprocess, evals[split], maps=False)

    curve: List[list] = []
    partial = osp.join(repo_path(args.work_dir), 'partial', unit + '.pth')
    if method != 'none':
        optim, set_lr, recipe = build_recipe(method, model, args.batch, lr_mult)
        row['recipe'] = recipe
        curve, start = load_partial(partial, model, optim)
        if start[0]:
            print(f'  {unit}: resuming from {portable(partial)} at step {start[0]}', flush=True)
        clock = [time.time() - start[1]]
        evaluate = phase == 'full'

        def mark(used: float, at_step: int) -> None:
            if evaluate:
                tr_x, _, tr_y = pooled('train')
                va_x, _, va_y = pooled('val')
                curve.append([round(used, 1), at_step, knn_top1(tr_x, tr_y, va_x, va_y),
                              linear_top1(tr_x, tr_y, va_x, va_y)])
                print(f'  {unit}: kNN {curve[-1][2]:.1f}, linear {curve[-1][3]:.1f} after '
                      f'{at_step} steps ({used:.0f} CPU s)', flush=True)
            save_partial(partial, model, optim, curve, [at_step, time.time() - clock[0], used])

        data = loader(args.data_abs, 'train', train_pipeline(method, args.size), args.batch,
                      True, seed + start[0], args.workers)
        marks = [round(steps * i / args.curve_points) for i in range(1, args.curve_points)]
        try:
            done, wall, used = budgeted_training(
                model, optim, data, 0., unit, max_steps=steps, marks=marks, on_mark=mark,
                start=start, set_lr=lambda s: set_lr(s, steps), log_every=args.log_every)
        except RuntimeError as err:          # a non-finite loss: the lr was too high
            if phase != 'search':
                raise
            print(f'  {unit}: diverged ({err})', flush=True)
            if osp.isfile(partial):
                os.remove(partial)
            return dict(row, diverged=True, error=str(err), knn=None, linear=None)
        row.update(steps=done, wall_s=round(wall, 1), cpu_s=round(used, 1),
                   cpu_s_per_step=round(used / max(1, done), 4),
                   epochs=round(done * args.batch / evals['train_images'], 2))
        if phase == 'full' and done > start[0]:
            # the probes take a while: a kill during them keeps the whole training
            save_partial(partial, model, optim, curve, [done, wall, used])
    model.eval()
    # after the measured training (its CPU seconds stay comparable with earlier units)
    keep_freed_memory()
    probe_clock = time.time()

    def probed(name: str) -> None:
        if phase == 'full':
            print(f'  {unit}: {PROBES[name]}: {row[name]:.1f} '
                  f'({(time.time() - probe_clock) / 60:.1f} min of probes)', flush=True)

    tr_x, tr_maps, tr_y = extract(model.backbone, preprocess, evals['train'])
    va_x, va_maps, va_y = extract(model.backbone, preprocess, evals['val'])
    row.update(knn=knn_top1(tr_x, tr_y, va_x, va_y), linear=linear_top1(tr_x, tr_y, va_x, va_y))
    if phase == 'full':
        probed('knn')
        probed('linear')
        if method != 'none':
            curve.append([row['cpu_s'], row['steps'], row['knn'], row['linear']])
        row['curve'] = curve
        bag_tr, _, _ = extract(model.backbone, preprocess, evals['train'], args.bag)
        bag_va, _, _ = extract(model.backbone, preprocess, evals['val'], args.bag)
        row['bag_knn'] = knn_top1(bag_tr, tr_y, bag_va, va_y)
        probed('bag_knn')
        row['transformer'] = transformer_probe_top1(tr_maps, tr_y, va_maps, va_y,
                                                    epochs=args.probe_epochs)
        probed('transformer')
        path = keep_backbone(model.backbone, method, seed, row['steps'], lr_mult, args)
        row.update(backbone=portable(path), backbone_sha256=sha256(path))
    if osp.isfile(partial):
        os.remove(partial)
    return row


def keep_backbone(backbone, method: str, seed: int, steps: int, lr_mult: float, args) -> str:
    """Save a full unit's final ``backbone`` where the detection study and the token probe
    find it (``--work-dir``/backbones/METHOD_seedN.pth, outside git); its path."""
    path = osp.join(repo_path(args.work_dir), 'backbones', f'{method}_seed{seed}.pth')
    os.makedirs(osp.dirname(path), exist_ok=True)
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in backbone.state_dict().items()},
                'meta': dict(method=method, seed=seed, steps=steps, arch=args.arch,
                             lr_mult=lr_mult, size=args.size)}, path)
    return path


def rebuild_random_init(row: dict, args, evals: dict) -> None:
    """Save the random-init unit ``row``'s backbone again: it is its seed's initialisation,
    built as :func:`run_unit` built it, so the file comes out bitwise the same (the SHA-256
    check of :func:`checked_backbone` that follows proves it)."""
    model = seeded_model(row['method'], row['seed'], args, evals['num_classes'])
    keep_backbone(model.backbone, row['method'], row['seed'], 0, 0., args)
    print(f'  {row["unit"]}: its random-init backbone built again from seed {row["seed"]}',
          flush=True)


def token_probe(model, preprocess, args, evals) -> float:
    """The augmented token probe of ``model``'s frozen backbone (:data:`TOKEN_PROBE`):
    ``--probe-copies`` random-resized-crop + flip views of every train image, and with
    ``centre_view`` the centre crop that the val images get, one more view to draw from."""
    aug = [dict(type='LoadImageFromFile'),
           dict(type='RandomResizedCrop', scale=args.size,
                crop_ratio_range=tuple(TOKEN_PROBE['crop_scale']), backend='pillow',
                interpolation='bicubic'),
           dict(type='RandomFlip', prob=0.5), dict(type='PackInputs')]
    copies, labels = [], None
    for k in range(args.probe_copies):
        # the loader's generator seeds the workers' numpy / random: another draw per copy
        data = loader(args.data_abs, 'train', aug, 50, False, 1000 + k, args.workers)
        maps, tokens, labels = token_features(model.backbone, preprocess, data)
        copies.append((maps, tokens))
    if TOKEN_PROBE['centre_view']:
        maps, tokens, centre_y = token_features(model.backbone, preprocess, evals['train'])
        assert torch.equal(centre_y, labels), 'the views must list the train images alike'
        copies.append((maps, tokens))
    va_maps, va_tokens, va_y = token_features(model.backbone, preprocess, evals['val'])
    return token_probe_top1(copies, labels, va_maps, va_tokens, va_y,
                            epochs=args.token_probe_epochs, pool=TOKEN_PROBE['pool'],
                            pooled_skip=TOKEN_PROBE['pooled_skip'])


def token_probe_settings(args) -> dict:
    """What the token-probe records depend on (a change refuses the old records)."""
    return dict(TOKEN_PROBE, crop_scale=list(TOKEN_PROBE['crop_scale']), size=args.size,
                copies=args.probe_copies, epochs=args.token_probe_epochs, data=args.data)


def token_probe_records(args) -> Records:
    return Records(repo_path(args.token_records), token_probe_settings(args))


def run_token_probes(args, records: Records, evals: dict, units=None) -> List[str]:
    """The token probe of every full unit (of ``units`` when given, else of ``--methods`` and
    ``--seeds``) that ``--token-records`` does not hold yet, each from the unit's kept backbone,
    checked against the SHA-256 that the unit recorded. A probe takes about 25 min on one
    core; an interrupted one starts again. A random-init unit's backbone is built again when
    it is not here; the trained units whose backbone is not on this machine are left out (the
    others are probed all the same) and returned."""
    full = [r for r in phase_runs(records.reload().rows, 'full')
            if (r['unit'] in units if units is not None else
                (not args.methods or r['method'] in args.methods) and r['seed'] in args.seeds)]
    probes = token_probe_records(args)
    rows, lost = {}, []
    for r in full:
        probed = probes.done(unit=r['unit']) is not None
        here = osp.isfile(repo_path(r.get('backbone') or ''))
        if not (here or probed) and r['method'] == 'none':
            rebuild_random_init(r, args, evals)
            here = True
        if here or probed:
            rows[r['unit']] = r
        else:
            lost.append(r['unit'])
    run_all([('unit', u, r['seed']) for u, r in rows.items()], probes,
            lambda unit, seed: probe_unit(rows[unit], args, evals))
    return lost


def probe_unit(row: dict, args, evals: dict) -> dict:
    """The token probe of the full unit ``row`` from its kept backbone."""
    checked_backbone(row['unit'], row.get('backbone'), row['backbone_sha256'])
    path = repo_path(row['backbone'])
    model = seeded_model(row['method'], row['seed'], args, evals['num_classes'])
    state = torch.load(path, map_location='cpu')['state_dict']
    model.backbone.load_state_dict({k[len('backbone.'):]: v for k, v in state.items()})
    model.eval()
    start = time.time()
    top1 = token_probe(model, lambda batch: model.data_preprocessor(batch, False), args, evals)
    print(f'  {row["unit"]}: {PROBES["token_probe"]}: {top1:.1f} '
          f'({(time.time() - start) / 60:.1f} min)', flush=True)
    return dict(unit=row['unit'], method=row['method'], seed=row['seed'],
                backbone_sha256=row['backbone_sha256'], token_probe=top1)


# ------------------------------------------------------------------ the report
def summary_rows(rows: List[dict], key_methods) -> Dict[str, dict]:
    """``{method: {probe: (mean, std), 'seeds': units, 'counts': {probe: units}}}``. A probe
    is summarised over the units that have it (the token probe's second version exists only
    for the units whose kept backbone was on disk when it came): ``counts`` says over how
    many."""
    out = {}
    for m in key_methods:
        runs = [r for r in rows if r['method'] == m]
        if runs:
            out[m] = dict(seeds=len(runs), counts={})
            for p in ['steps', 'epochs', 'cpu_s', 'knn', 'linear'] + list(PROBES):
                values = [r[p] for r in runs if r.get(p) is not None]
                if values:
                    out[m][p] = mean_std(values)
                    out[m]['counts'][p] = len(values)
    return out


def summary_cell(entry: dict, probe: str) -> str:
    """A :func:`summary_rows` entry's ``probe`` as ``mean ± std``, with ``(n of N)`` when
    only n of its N units have it; '-' when none has."""
    if probe not in entry:
        return '-'
    n = entry['counts'][probe]
    return fmt(entry[probe], 1, n) + (f' ({n} of {entry["seeds"]})' if n < entry['seeds']
                                      else '')


# the paper's classification claims (ImageNet, its 5.8M Mobile-Former): QB-Heat - MoCo-v2
PAPER_GAPS = {'linear': (None, 'on par'),
              'token_probe': (65.6 - 52.9, 'non-linear probe 65.6 vs 52.9')}


def paper_comparison(qbheat: dict, mocov2: dict, name: str = 'QB-Heat') -> str:
    """``name`` − MoCo-v2 on the linear probe and the token probe (the paper's non-linear
    probe) beside the paper's gaps; ``qbheat`` / ``mocov2`` are :func:`summary_rows` entries
    (``qbheat`` may be a variant, named by ``name``). The ± is the standard error of the
    difference of the means, given only when both have at least 2 seeds."""
    items = []
    for probe, (gap, said) in PAPER_GAPS.items():
        if probe not in qbheat or probe not in mocov2:
            continue
        na, nb = qbheat['counts'][probe], mocov2['counts'][probe]
        gap_here = difference(qbheat[probe], na, mocov2[probe], nb)
        paper = f'{gap:+.1f}, {said}' if gap is not None else said
        items.append(f'{PROBES.get(probe, probe)} {gap_here} over {na} and {nb} seeds '
                     f'(paper: {paper})')
    return (f'**{name} − MoCo-v2** (the paper: ImageNet, its 5.8M Mobile-Former): '
            + '; '.join(items) + '.')


def acceptance(summary: Dict[str, dict]) -> List[str]:
    """The token probe's acceptance on the supervised backbone (not below the linear probe),
    as one line once a supervised unit has both probes; ``summary`` as :func:`summary_rows`."""
    sup = summary.get('supervised', {})
    if 'token_probe' not in sup or 'linear' not in sup:
        return []
    token, linear = sup['token_probe'][0], sup['linear'][0]
    n = sup['counts']['token_probe']
    return [f'**The token probe on the supervised backbone** ({n} seed'
            f'{"s" if n > 1 else ""}): {token:.1f} against {linear:.1f} for the '
            f'linear probe ({token - linear:+.1f}); the acceptance, not below the linear probe, '
            f'is {"met" if token >= linear else "not met"}.']


def write_report(args, records: Records, calib: Optional[dict]) -> str:
    records.reload()             # with the units the other lane recorded meanwhile
    rows = records.rows
    parts = []
    if calib:
        parts.append(
            f'**Calibration** ({calib["date"]}, {calib["threads"]} torch thread, '
            f'{calib["workers"]} data worker, idle machine): budget B = '
            f'{calib["budget_cpu_s"]:.0f} whole-process CPU s per unit = QB-Heat\'s cost of '
            f'{calib["epochs"]:g} epochs of {calib["train_images"]} images at batch '
            f'{calib["batch"]}.\n\n' + markdown_table(
                ['method', 'CPU s / step', 'steps in B', 'epochs in B'],
                [[m, f'{c["cpu_s_per_step"]:.3f}', c['steps'], f'{c["epochs"]:.1f}']
                 for m, c in calib['methods'].items()]))
    search = phase_runs(rows, 'search')
    if search:
        parts.append('**lr search** (a quarter of each budget, seed 0; factor x the lr of the '
                     'config\'s scaling rule at this batch; grid '
                     f'{", ".join(f"x{m:g}" for m in LR_MULTS)}, grown by x{LR_STEP:g} past an '
                     f'edge that holds the best, at most {MAX_EXTENSIONS} times; best linear '
                     'top-1 in bold):\n\n' +
                     markdown_table(['method', 'factor', 'lr', 'steps', 'kNN', 'linear'], [
                         [r['method'], f'x{r["lr_mult"]:g}', f'{r["recipe"]["lr"]:.3g}',
                          r['steps'], '-' if r.get('diverged') else f'{r["knn"]:.1f}',
                          'diverged' if r.get('diverged') else
                          (f'**{r["linear"]:.1f}**' if r['lr_mult'] == best_or_none(
                              records, r['method']) else f'{r["linear"]:.1f}')]
                         for r in sorted(search, key=lambda r: (r['method'], r['lr_mult']))]))
    screen = phase_runs(rows, 'screen') + [
        r for r in search if r['method'] == 'qbheat' and
        r['lr_mult'] == best_or_none(records, 'qbheat')]
    if len(screen) > 1:
        parts.append('**QB-Heat design choices** (the same quarter budget and lr, seed 0):\n\n'
                     + markdown_table(['variant', 'steps', 'kNN', 'linear'], [
                         [r['method'], r['steps'], f'{r["knn"]:.1f}', f'{r["linear"]:.1f}']
                         for r in sorted(screen, key=lambda r: -r['linear'])]))
    # every recorded seed, whatever --seeds this run was given: a lane that runs one seed
    # must not shrink the committed table to that seed
    full = with_token_probes(phase_runs(rows, 'full'), args)
    summary = summary_rows(full, METHODS)
    if summary:
        table = markdown_table(
            ['method', 'seeds', 'steps', 'epochs', 'CPU h'] + [f'{v} (%)' for v in
                                                                PROBES.values()],
            [[m, s['seeds'], f'{s["steps"][0]:.0f}',
              f'{s["epochs"][0]:.1f}' if 'epochs' in s else '-',
              f'{s["cpu_s"][0] / 3600:.2f}' if 'cpu_s' in s else '-'] +
             [summary_cell(s, p) for p in PROBES]
             for m, s in summary.items()])
        parts.append('**Full runs** (top-1 on all val images, mean ± std over seeds):\n\n' +
                     table)
        if 'mocov2' in summary:
            parts += [paper_comparison(summary[v], summary['mocov2'], DISPLAY_NAMES[v])
                      for v in VARIANTS if v in summary]
        parts += acceptance(summary)
        draw(args, full, summary)
    text = '\n\n'.join(parts) or 'no records yet'
    settings = dict(records.settings, seeds=sorted({r['seed'] for r in full}) or args.seeds)
    if getattr(args, 'token_records', None):
        settings['token_probe'] = token_probe_settings(args)
    return report(f'Fixed-work study at {args.size} px ({osp.basename(args.data)}, '
                  f'{args.arch})', text, settings, args.out and repo_path(args.out), 'cpu')


def with_token_probes(full: List[dict], args) -> List[dict]:
    """The full units with the token probe of ``--token-records`` (None until a unit is
    probed). The units recorded before the second version carry the first one in their
    own records (random-resized crops only, no pooled skip), which this replaces."""
    if not getattr(args, 'token_records', None):
        return full
    probes = {r['unit']: r for r in token_probe_records(args).rows}
    out = []
    for r in full:
        probe = probes.get(r['unit'])
        if probe and probe['backbone_sha256'] != r.get('backbone_sha256'):
            raise SystemExit(f'{args.token_records}: the probe of {r["unit"]} was made on '
                             f'another backbone than the unit recorded; delete its line')
        out.append(dict(r, token_probe=probe and probe['token_probe']))
    return out


def best_or_none(records: Records, method: str) -> Optional[float]:
    try:
        return best_lr_mult(records, method)
    except SystemExit:
        return None


def draw(args, full: List[dict], summary: Dict[str, dict]) -> None:
    if not args.out:
        return
    from plots import curves_with_bands, grouped_bars
    base = osp.splitext(repo_path(args.out))[0]
    grouped_bars([f'{m} ({s["seeds"]} seed{"s" * (s["seeds"] > 1)})' for m, s in summary.items()],
                 {v: [s.get(p, (float('nan'), 0.)) for s in summary.values()]
                  for p, v in PROBES.items()}, base + '.png', 'top-1 (%)',
                 f'{osp.basename(args.data)} at {args.size} px, {args.arch}, equal work, '
                 f'mean ± std over seeds')
    for index, name in ((2, 'kNN'), (3, 'linear')):
        curves = {m: [[(p[0] / 3600, p[index]) for p in r['curve']] for r in full
                      if r['method'] == m and r.get('curve')] for m in summary}
        curves = {m: c for m, c in curves.items() if c}
        key = ('knn', 'linear')[index - 2]
        if curves:
            levels = ({f'random init {summary["none"][key][0]:.1f}': summary['none'][key][0]}
                      if key in summary.get('none', {}) else {})
            curves_with_bands(curves, f'{base}_curves_{name.lower()}.png',
                              'training compute (whole-process CPU h)', f'{name} top-1 (%)',
                              f'{osp.basename(args.data)} at {args.size} px, {args.arch}: '
                              f'{name} during pretraining', levels)


# ------------------------------------------------------------------ main
def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--preset', choices=['imagenette-256'], default='imagenette-256')
    parser.add_argument('--phase', choices=['calibrate', 'search', 'screen', 'full',
                                            'token-probe'], default='full')
    parser.add_argument('--methods', nargs='+', choices=METHODS + ('best-variant',),
                        default=None, help='best-variant (full phase): the screen\'s winner')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    for key in ('data', 'arch', 'records', 'calibration', 'out', 'work_dir'):
        parser.add_argument('--' + key.replace('_', '-'), default=PRESET[key])
    parser.add_argument('--token-records', default=None,
                        help='the token probes (default: --records with _token_probe before '
                        '.jsonl)')
    parser.add_argument('--size', type=int, default=PRESET['size'])
    parser.add_argument('--batch', type=int, default=PRESET['batch'])
    parser.add_argument('--epochs', type=float, default=PRESET['epochs'],
                        help="QB-Heat's epochs in the budget (calibrate)")
    parser.add_argument('--curve-points', type=int, default=PRESET['curve_points'])
    parser.add_argument('--calib-warmup', type=int, default=5)
    parser.add_argument('--calib-steps', type=int, default=30)
    parser.add_argument('--search-fraction', type=float, default=0.25)
    parser.add_argument('--bag', type=int, default=16)
    parser.add_argument('--probe-epochs', type=int, default=30)
    parser.add_argument('--probe-copies', type=int, default=4)
    parser.add_argument('--token-probe-epochs', type=int, default=40)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--log-every', type=int, default=50)
    parser.add_argument('--report-only', action='store_true')
    args = parser.parse_args(argv)
    args.data_abs = repo_path(args.data)
    args.token_records = (args.token_records or
                          osp.splitext(args.records)[0] + '_token_probe.jsonl')
    args.data = portable(args.data)
    torch.set_num_threads(args.threads)
    settings = dict(data=args.data, arch=args.arch, size=args.size, batch=args.batch,
                    epochs=args.epochs, bag=args.bag, probe_epochs=args.probe_epochs,
                    probe_copies=args.probe_copies, token_probe_epochs=args.token_probe_epochs)
    records = Records(repo_path(args.records), settings)
    if args.report_only:
        calib = load_calibration(args) if osp.isfile(repo_path(args.calibration)) else None
        return write_report(args, records, calib)
    if not osp.isdir(args.data_abs):
        raise SystemExit(f'no dataset at {args.data} (relative to the repository); pass '
                         f'--data (ImageNet layout: train/<class>/*, val/<class>/*)')
    if args.phase == 'calibrate':
        train = loader(args.data_abs, 'train', [], 1, False, 0, 0).dataset
        args.num_classes = len(train.CLASSES)
        args.methods = args.methods or [m for m in METHODS if m != 'none']
        calibrate(args, len(train))
        return write_report(args, records, load_calibration(args))
    evals = EvalBatches(args)
    calib = load_calibration(args)
    jobs = []
    if args.phase == 'search':
        for m in args.methods or SEARCH:
            if m not in SEARCH:
                raise SystemExit(f'--phase search takes {SEARCH}')
        # round by round: a grid's extension depends on the results before it
        while True:
            jobs = [(m, 0, mult, steps_of(m, calib, args.search_fraction))
                    for m in args.methods or SEARCH for mult in search_todo(records, m)]
            if not jobs:
                return write_report(args, records, calib)
            run_jobs(jobs, records, args, evals)
    elif args.phase == 'token-probe':
        lost = run_token_probes(args, records, evals)
        text = write_report(args, records, calib)
        if lost:
            raise SystemExit(f'not probed, their kept backbones are not on this machine: '
                             f'{", ".join(lost)}; {LOST_BACKBONE_FIX}')
        return text
    elif args.phase == 'screen':
        for m in args.methods or [v for v in VARIANTS if v != 'qbheat']:
            jobs.append((m, 0, best_lr_mult(records, m), steps_of(m, calib,
                                                                  args.search_fraction)))
    else:
        methods = args.methods or ['qbheat', 'mocov2', 'vicreg', 'supervised', 'none']
        for m in dict.fromkeys(best_variant(records) if m == 'best-variant' else m
                               for m in methods):
            for seed in args.seeds:
                mult = 0. if m == 'none' else best_lr_mult(records, m)
                jobs.append((m, seed, mult, 0 if m == 'none' else steps_of(m, calib, 1.)))
    units = run_jobs(jobs, records, args, evals)
    if args.phase == 'full':
        run_token_probes(args, records, evals, units)
    return write_report(args, records, calib)


class EvalBatches(dict):
    """The cached train and val batches of the probes (:func:`study.cached_eval_batches`),
    with ``train_images``; read on first use, so a command whose units are all recorded (a
    lane started again) does not spend minutes decoding 13k images."""

    def __init__(self, args) -> None:
        super().__init__()
        self.args = args

    def __missing__(self, key: str):
        if not self:
            self.update(cached_eval_batches(self.args.data_abs, self.args.size,
                                            self.args.workers))
            self['train_images'] = sum(len(b['data_samples']) for b in self['train'])
        if key not in self:
            raise KeyError(key)
        return super().__getitem__(key)


def run_jobs(jobs: list, records: Records, args, evals: dict) -> List[str]:
    """Run the ``(method, seed, lr_mult, steps)`` jobs not yet in ``records``; their units."""
    units = {f'{args.phase}_{m}_x{x:g}_seed{s}': (m, s, x, n) for m, s, x, n in jobs}
    run_all([('unit', u, units[u][1]) for u in units], records,
            lambda unit, seed: run_unit(units[unit][0], seed, args.phase, units[unit][2],
                                        units[unit][3], args, evals),
            weight=lambda unit: max(1, units[unit][3]))
    return list(units)


if __name__ == '__main__':
    main()

"""Point an mmdet config at any COCO-format folder in one step (``--coco-data DIR``).

A COCO-format folder holds ``annotations/instances_<split>.json`` and one image folder per
split, ``<split>/*.jpg`` (e.g. coco128: ``annotations/instances_train2017.json`` and
``train2017/``). Without this a stock detection config needs the ``data_root``,
``ann_file`` and ``data_prefix`` of three loaders plus the two evaluators' ``ann_file``
changed by hand, and its classes and head size when the folder's categories are not COCO's 80.
"""
import json
import os
import os.path as osp
from glob import glob
from typing import Dict, List, Optional, Tuple

from ..utils.config_walk import nested_dicts
from .data_root_check import DataRootError, innermost_dataset

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def coco_splits(root: str) -> Dict[str, str]:
    """``{split: annotation path}`` of a COCO-format folder (splits whose image folder exists).

    Raises:
        DataRootError: no ``annotations/instances_<split>.json`` with a ``<split>/`` folder.
    """
    if not osp.isdir(root):
        raise DataRootError(
            f'--coco-data: {root!r} does not exist; pass the folder that holds annotations/ '
            f'and the split folders (e.g. ../shared/data/voc2007-small)')
    splits = {}
    for ann in sorted(glob(osp.join(root, 'annotations', 'instances_*.json'))):
        split = osp.basename(ann)[len('instances_'):-len('.json')]
        if osp.isdir(osp.join(root, split)):
            splits[split] = ann
    if not splits:
        raise DataRootError(
            f'--coco-data: {root!r} is not a COCO-format folder; it needs '
            f'annotations/instances_<split>.json and the images of that split in <split>/ '
            f'(e.g. annotations/instances_train2017.json and train2017/*.jpg)')
    return splits


def pick_splits(splits: Dict[str, str]) -> Tuple[str, str]:
    """(training split, evaluation split): the ``train*`` and ``val*`` ones where they exist;
    a folder with one split uses it for both."""
    names = list(splits)
    train = next((s for s in names if s.startswith('train')), names[0])
    evaluate = next((s for s in names if s.startswith('val')),
                    next((s for s in names if s != train), train))
    return train, evaluate


def category_names(ann_file: str) -> List[str]:
    """Category names of a COCO annotation file, in id order."""
    with open(ann_file) as f:
        categories = json.load(f).get('categories', [])
    return [c['name'] for c in sorted(categories, key=lambda c: c['id'])]


def set_num_classes(model: dict, num_classes: int) -> int:
    """Set every ``num_classes`` in the (nested) model config; returns how many were set."""
    heads = [d for _, d in nested_dicts(model) if isinstance(d.get('num_classes'), int)]
    for head in heads:
        head['num_classes'] = num_classes
    return len(heads)


def use_coco_folder(cfg, root: str, stock_classes: Optional[Tuple[str, ...]] = None) -> dict:
    """Point the train, val and test loaders and both evaluators of an mmdet config at ``root``.

    Args:
        cfg: an mmdet config (its datasets ``CocoDataset``-like, with ``ann_file``).
        root: a COCO-format folder (see :func:`coco_splits`).
        stock_classes: the classes the config's dataset type has (default: mmdet's
            ``CocoDataset`` 80); when the folder's categories differ, the loaders get them
            as ``metainfo`` and every ``num_classes`` of the model is set to their count.

    Returns:
        ``dict(train=split, eval=split, classes=None or the new class names)``.
    """
    if cfg.get('default_scope') != 'mmdet':
        raise SystemExit('--coco-data is for detection configs (default_scope mmdet); for a '
                         'pretraining config point train_dataloader.dataset.data_root at the '
                         'image folder')
    root = osp.abspath(root)
    splits = coco_splits(root)
    train, evaluate = pick_splits(splits)
    if stock_classes is None:
        from mmdet.datasets import CocoDataset
        stock_classes = tuple(CocoDataset.METAINFO['classes'])
    names = category_names(splits[train])
    classes = None if tuple(names) == tuple(stock_classes) else tuple(names)
    for key, split in zip(LOADERS, (train, evaluate, evaluate)):
        loader = cfg.get(key)
        if not loader:
            continue
        dataset = innermost_dataset(loader['dataset'])
        dataset.update(data_root=root + '/', ann_file=osp.relpath(splits[split], root),
                       data_prefix=dict(img=split + '/'))
        if classes:
            dataset['metainfo'] = dict(classes=classes)
    for key, split in (('val_evaluator', evaluate), ('test_evaluator', evaluate)):
        evaluators = cfg.get(key)
        for evaluator in evaluators if isinstance(evaluators, list) else [evaluators]:
            if isinstance(evaluator, dict) and 'ann_file' in evaluator:
                evaluator['ann_file'] = splits[split]
    if classes and not set_num_classes(cfg.model, len(classes)):
        raise SystemExit(f'--coco-data: {root} has {len(classes)} categories, not COCO\'s 80, '
                         f'and the model config has no num_classes to set')
    return dict(train=train, eval=evaluate, classes=classes)


def set_image_scale(cfg, scale: Tuple[int, int]) -> int:
    """Set the ``scale`` of every ``Resize`` step in the train, val and test pipelines of an
    mmdet config (``--image-scale W H``; e.g. 1333 800 -> 256 256 for images whose longer
    side is 256). ``keep_ratio`` stays as the config has it. Returns how many were set.

    Raises:
        SystemExit: the config resizes with another transform (``RandomResize``,
            ``RandomChoiceResize``, ...) or not at all, naming what it found.
    """
    scale = tuple(int(s) for s in scale)
    if len(scale) != 2 or min(scale) <= 0:
        raise SystemExit(f'--image-scale takes two positive sizes W H (e.g. 256 256), got '
                         f'{scale}')
    found, others = 0, set()
    for key in LOADERS:
        loader = cfg.get(key)
        if not loader:
            continue
        for _, step in nested_dicts(innermost_dataset(loader['dataset']).get('pipeline', [])):
            kind = step.get('type', '')
            if kind == 'Resize' and 'scale' in step:
                step['scale'] = scale
                found += 1
            elif 'Resize' in kind:
                others.add(kind)
    if others or not found:
        raise SystemExit(
            f'--image-scale sets the scale of the pipelines\' Resize steps; this config '
            + (f'resizes with {sorted(others)} too: set their scales with --cfg-options'
               if others else 'has none') + ' (the stock RetinaNet / FCOS / Faster R-CNN '
            'configs use Resize)')
    return found


def coco_test_annotation(cfg) -> Optional[str]:
    """The annotation file the test loader of an mmdet config reads (None if it has none)."""
    dataset = innermost_dataset(cfg.test_dataloader['dataset'])
    ann = dataset.get('ann_file')
    if not ann:
        return None
    return ann if osp.isabs(ann) else osp.join(dataset.get('data_root', '') or '', ann)


def evaluate_subset(cfg, count: int, out_dir: str) -> Tuple[str, int]:
    """``tools/test.py --subset N``: evaluate the first N images of the test annotation file
    honestly. A restricted copy of the file (those images and their annotations) replaces it
    for both the test dataset and the COCO evaluator, so AP is computed over exactly the
    images that were evaluated (with ``test_dataloader.dataset.indices`` the evaluator would
    still count the ground truth of every image). Returns (path of the copy, images in it)."""
    if count <= 0:
        raise SystemExit(f'--subset takes a positive number of images, got {count}')
    ann = coco_test_annotation(cfg)
    if ann is None or not osp.isfile(ann):
        raise SystemExit(f'--subset needs the COCO annotation file of the test loader; '
                         f'{ann!r} is not a file (see --coco-data)')
    with open(ann) as f:
        data = json.load(f)
    images = data['images'][:count]
    keep = {im['id'] for im in images}
    subset = dict(data, images=images,
                  annotations=[a for a in data.get('annotations', []) if a['image_id'] in keep])
    os.makedirs(out_dir, exist_ok=True)
    path = osp.join(osp.abspath(out_dir), f'subset{len(images)}_{osp.basename(ann)}')
    with open(path, 'w') as f:
        json.dump(subset, f)
    dataset = innermost_dataset(cfg.test_dataloader['dataset'])
    dataset['ann_file'] = path
    dataset.pop('indices', None)
    evaluators = cfg.get('test_evaluator')
    for evaluator in evaluators if isinstance(evaluators, list) else [evaluators]:
        if isinstance(evaluator, dict) and 'ann_file' in evaluator:
            evaluator['ann_file'] = path
    return path, len(images)


def diluted_subset_warning(cfg) -> Optional[str]:
    """A warning when the test dataset's ``indices`` picks part of it while a COCO evaluator
    scores against every image of its annotation file (AP diluted by the images never run)."""
    dataset = innermost_dataset(cfg.test_dataloader['dataset'])
    indices = dataset.get('indices')
    evaluators = cfg.get('test_evaluator')
    coco = [e for e in (evaluators if isinstance(evaluators, list) else [evaluators])
            if isinstance(e, dict) and 'CocoMetric' in str(e.get('type', ''))]
    if indices is None or not coco:
        return None
    n = indices if isinstance(indices, int) else len(indices)
    return (f'WARNING: test_dataloader.dataset.indices={indices!r} evaluates {n} images, but '
            f'CocoMetric scores the detections against every image of '
            f'{coco[0].get("ann_file")}: the AP is diluted by the images never evaluated. Use '
            f'tools/test.py --subset {n} to score exactly the images evaluated')

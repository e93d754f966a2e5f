"""Point an mmseg config at a semantic-segmentation folder in one step (``--seg-data DIR``).

The folder (``tools/dataset_converters/coco_to_semantic.py`` writes one from COCO)::

    DIR/classes.txt                     one class name per line; line i is mask value i
    DIR/images/<split>/*.jpg            (or .png)
    DIR/annotations/<split>/*.png       uint8 masks, same stems; 255 = ignored

``<split>`` is ``training`` / ``validation`` (ADE20K's names) or ``train`` / ``val``; a folder
with one split uses it for training and evaluation. Every loader of the config then reads a
``BaseSegDataset`` on the folder with the config's own pipeline and ``indices`` (a
``ConcatDataset``, e.g. VOC aug, becomes one dataset), its ``LoadAnnotations`` keep the mask values as they are
(``reduce_zero_label=False``), and every ``num_classes`` of the model becomes the folder's
class count.
"""
import os
import os.path as osp
from typing import Dict, List, Tuple

from ..utils.config_walk import nested_dicts
from .coco_folder import set_num_classes
from .data_root_check import DataRootError

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
SPLIT_NAMES = (('training', 'train'), ('validation', 'val'))
LAYOUT = ('{root}/\n  classes.txt                  one class name per line (line i = mask value '
          'i)\n  images/<split>/*.jpg         <split>: training/validation or train/val\n'
          '  annotations/<split>/*.png    uint8 masks (255 = ignored)\n'
          '(tools/dataset_converters/coco_to_semantic.py writes one from COCO annotations)')


def seg_splits(root: str) -> Tuple[str, str]:
    """(training split, evaluation split) of a ``--seg-data`` folder.

    Raises:
        DataRootError: no ``classes.txt`` or no split with both ``images/`` and
            ``annotations/``, with the expected layout.
    """
    def usable(split: str) -> bool:
        return all(osp.isdir(osp.join(root, part, split)) for part in ('images', 'annotations'))

    found = [next((n for n in names if usable(n)), None) for names in SPLIT_NAMES]
    problem = ('no classes.txt' if not osp.isfile(osp.join(root, 'classes.txt')) else
               'no split with both images/<split> and annotations/<split>'
               if not any(found) else '')
    if problem:
        raise DataRootError(f'--seg-data: {root!r} is not a segmentation folder ({problem}); '
                            f'it needs:\n{LAYOUT.format(root=root.rstrip("/"))}')
    train, evaluate = found
    return train or evaluate, evaluate or train


def read_classes(root: str) -> List[str]:
    """The class names of ``classes.txt`` (blank lines dropped)."""
    with open(osp.join(root, 'classes.txt')) as f:
        return [line.strip() for line in f if line.strip()]


def _image_suffix(folder: str) -> str:
    exts = sorted({osp.splitext(f)[1] for f in os.listdir(folder)} - {'.png'}) or ['.png']
    if len(exts) > 1:
        raise DataRootError(f'--seg-data: {folder} mixes image types {exts}; use one')
    return exts[0]


def _first_pipeline(dataset: dict) -> list:
    while 'pipeline' not in dataset:
        inner = dataset.get('dataset') or (dataset.get('datasets') or [None])[0]
        if inner is None:
            raise SystemExit('--seg-data: a dataloader\'s dataset has no pipeline to reuse')
        dataset = inner
    return dataset['pipeline']


def use_seg_folder(cfg, root: str) -> Dict[str, object]:
    """Point the train, val and test loaders of an mmseg config at ``root``.

    Returns:
        ``dict(train=split, eval=split, classes=[...])``.
    """
    if cfg.get('default_scope') != 'mmseg':
        raise SystemExit('--seg-data is for segmentation configs (default_scope mmseg, e.g. '
                         'configs/mmseg/); detection configs take --coco-data')
    root = osp.abspath(root)
    train, evaluate = seg_splits(root)
    classes = read_classes(root)
    for key, split in zip(LOADERS, (train, evaluate, evaluate)):
        loader = cfg.get(key)
        if not loader:
            continue
        pipeline = _first_pipeline(loader['dataset'])
        for _, step in nested_dicts(pipeline):
            if str(step.get('type', '')).split('.')[-1] == 'LoadAnnotations':
                step['reduce_zero_label'] = False
        holder, field = loader, 'dataset'        # keep wrappers such as RepeatDataset
        while 'dataset' in holder[field]:
            holder, field = holder[field], 'dataset'
        kept = {k: v for k, v in holder[field].items() if k in ('indices', 'serialize_data')}
        holder[field] = dict(
            **kept, type='BaseSegDataset', data_root=root,
            data_prefix=dict(img_path=f'images/{split}', seg_map_path=f'annotations/{split}'),
            img_suffix=_image_suffix(osp.join(root, 'images', split)), seg_map_suffix='.png',
            reduce_zero_label=False, metainfo=dict(classes=tuple(classes)), pipeline=pipeline)
    if not set_num_classes(cfg.model, len(classes)):
        raise SystemExit('--seg-data: the model config has no num_classes to set')
    return dict(train=train, eval=evaluate, classes=classes)

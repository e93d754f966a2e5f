"""One clear error when a config's dataset folder is missing, naming the expected layout."""
import os.path as osp
from typing import Iterator, Tuple

LAYOUTS = {
    'ImageNet': ('{root}/\n'
                 '  train/<class>/*.JPEG   (or meta/train.txt listing "path label")\n'
                 '  val/<class>/*.JPEG     (or meta/val.txt)'),
    'CustomDataset': '{root}/<prefix>/<class or any folder>/*.jpg',
    'CocoDataset': ('{root}/\n'
                    '  annotations/instances_train2017.json, instances_val2017.json\n'
                    '  train2017/*.jpg, val2017/*.jpg'),
}


def _datasets(cfg) -> Iterator[Tuple[str, dict]]:
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if not loader or not loader.get('dataset'):
            continue
        dataset = loader['dataset']
        while 'dataset' in dataset:  # wrappers such as RepeatDataset
            dataset = dataset['dataset']
        yield key, dataset


def check_data_roots(cfg) -> None:
    """Raise ``FileNotFoundError`` if a dataloader's ``data_root`` (or its
    ``ann_file``) is missing, with the layout that dataset type expects."""
    for key, dataset in _datasets(cfg):
        root = dataset.get('data_root', '')
        ann = dataset.get('ann_file', '')
        missing = None
        if root and not osp.isdir(root):
            missing = root
        elif ann and not osp.isfile(osp.join(root, ann)) and not osp.isfile(ann):
            missing = osp.join(root, ann)
        if missing is None:
            continue
        kind = str(dataset.get('type', '')).split('.')[-1]
        layout = LAYOUTS.get(kind, LAYOUTS['CustomDataset']).format(root=root.rstrip('/'),
                                                                     prefix='...')
        raise FileNotFoundError(
            f'{key}: dataset path {missing!r} does not exist. {kind or "The dataset"} expects:\n'
            f'{layout}\nPut (or link) the data there, or point the config at it, e.g. '
            f'--cfg-options {key}.dataset.data_root=/path/to/data')

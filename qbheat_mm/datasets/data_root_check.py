"""One clear error when a config's dataset folder is missing, naming the expected layout."""
import os
import os.path as osp
from typing import Iterator, Sequence, Tuple

ALL_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')

LAYOUTS = {
    'ImageNet': ('{root}/\n'
                 '  train/<class>/*.JPEG   (or meta/train.txt listing "path label")\n'
                 '  val/<class>/*.JPEG     (or meta/val.txt)\n'
                 '  meta/train_1percent.txt, train_10percent.txt for the semi-supervised '
                 'protocols (tools/misc/make_semi_subset.py writes them)'),
    'CustomDataset': '{root}/<prefix>/<class or any folder>/*.jpg',
    'CocoDataset': ('{root}/\n'
                    '  annotations/instances_train2017.json, instances_val2017.json\n'
                    '  train2017/*.jpg, val2017/*.jpg'),
    'ADE20KDataset': ('{root}/   (ADEChallengeData2016)\n'
                      '  images/training/*.jpg, images/validation/*.jpg\n'
                      '  annotations/training/*.png, annotations/validation/*.png\n'
                      '(any other segmentation folder: --seg-data DIR)'),
    'PascalVOCDataset': ('{root}/   (VOCdevkit/VOC2012)\n'
                         '  JPEGImages/*.jpg, SegmentationClass/*.png, SegmentationClassAug/*.png\n'
                         '  ImageSets/Segmentation/train.txt, val.txt, aug.txt\n'
                         '(mmseg\'s tools/dataset_converters/voc_aug.py writes the aug part)'),
    'BaseSegDataset': ('{root}/\n  images/<split>/*.jpg\n  annotations/<split>/*.png\n'
                       '(tools/dataset_converters/coco_to_semantic.py writes one from COCO)'),
}


def innermost_dataset(dataset: dict) -> dict:
    """The dataset config inside wrappers such as ``RepeatDataset`` (the same dict object)."""
    while 'dataset' in dataset:
        dataset = dataset['dataset']
    return dataset


def _datasets(cfg, loaders: Sequence[str]) -> Iterator[Tuple[str, dict, str]]:
    """(loader key, dataset config, its --cfg-options path) of each dataset the loaders
    read."""
    for key in loaders:
        loader = cfg
        for part in key.split('.'):     # 'val_cfg.memory_dataloader' (KNNValLoop)
            loader = loader.get(part) if loader else None
        if not loader or not loader.get('dataset'):
            continue
        path, dataset = f'{key}.dataset', loader['dataset']
        while 'dataset' in dataset:                # wrappers such as RepeatDataset
            path, dataset = f'{path}.dataset', dataset['dataset']
        if not dataset.get('datasets'):
            yield key, dataset, path
        for i, part in enumerate(dataset.get('datasets') or []):   # ConcatDataset parts
            yield key, innermost_dataset(part), f'{path}.datasets.{i}'


class DataRootError(FileNotFoundError):
    """A configured data folder or annotation file is missing (the tools print its message
    without a traceback)."""


IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif')


def _check_image_folder(key: str, dataset: dict) -> None:
    """A label-free ``CustomDataset`` (e.g. GTSA's COCO images) reads every image under its
    folder; refuse a folder without any, before the workers start."""
    kind = str(dataset.get('type', '')).split('.')[-1]
    if kind != 'CustomDataset' or dataset.get('with_label', True) or dataset.get('ann_file'):
        return
    prefix = dataset.get('data_prefix', '')
    root = osp.join(dataset.get('data_root', ''), prefix if isinstance(prefix, str) else '')
    for _, _, files in os.walk(root, followlinks=True):
        if any(f.lower().endswith(IMAGE_EXTENSIONS) for f in files):
            return
    raise DataRootError(
        f'{key}: the image folder {root!r} holds no images ({", ".join(IMAGE_EXTENSIONS)}); '
        f'put the unlabelled images there (e.g. COCO train2017/*.jpg) or point the config at '
        f'a folder that has them: --cfg-options {key}.dataset.data_root=/path/to/images')


def _evaluator_files(cfg, loader_key: str) -> Iterator[Tuple[str, str]]:
    """(config key, path) of the annotation files the evaluator of ``loader_key`` reads
    (e.g. mmdet's CocoMetric ``ann_file``)."""
    key = loader_key.replace('_dataloader', '_evaluator')
    evaluators = cfg.get(key) if '.' not in loader_key else None
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    for i, evaluator in enumerate(evaluators or []):
        if isinstance(evaluator, dict) and evaluator.get('ann_file'):
            name = key if isinstance(cfg.get(key), dict) else f'{key}.{i}'
            yield f'{name}.ann_file', evaluator['ann_file']


def check_data_roots(cfg, loaders: Sequence[str] = ALL_LOADERS) -> None:
    """Raise ``FileNotFoundError`` if the ``data_root`` (or ``ann_file``) of one of the
    named dataloaders is missing, with the layout that dataset type expects. Only the
    loaders a run builds are checked: training passes the train loader (and val unless
    validation is off), evaluation the test loader alone."""
    for key, dataset, path in _datasets(cfg, loaders):
        root = dataset.get('data_root', '')
        ann = dataset.get('ann_file', '')
        missing = None
        if root and not osp.isdir(root):
            missing = root
        elif ann and not osp.isfile(osp.join(root, ann)) and not osp.isfile(ann):
            missing = osp.join(root, ann)
        if missing is None:
            _check_image_folder(key, dataset)
            continue
        kind = str(dataset.get('type', '')).split('.')[-1]
        layout = LAYOUTS.get(kind, LAYOUTS['CustomDataset']).format(root=root.rstrip('/'),
                                                                     prefix='...')
        option = (f'{path}.data_root=/path/to/data' if missing == root else
                  f'{path}.ann_file=/path/to/annotations (relative to data_root)')
        coco = (' or, for any COCO-format folder, --coco-data DIR (annotations/'
                'instances_<split>.json + <split>/ images)' if 'Coco' in kind else '')
        raise DataRootError(
            f'{key}: dataset path {missing!r} does not exist. {kind or "The dataset"} expects:\n'
            f'{layout}\nPut (or link) the data there, or point the config at it: '
            f'--cfg-options {option}{coco}')
    for key in loaders:
        for option, path in _evaluator_files(cfg, key):
            if not osp.isfile(path):
                raise DataRootError(
                    f'{option} {path!r} does not exist: the evaluator reads the annotations of '
                    f'the data it scores; point it at them, e.g. --cfg-options {option}=PATH '
                    f'(the file {key}.dataset.ann_file names, joined to its data_root)')

"""iNaturalist (2017-2021) classification from its COCO-style json files."""
import json
import os.path as osp
from typing import List

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS


@DATASETS.register_module()
class INaturalist(BaseDataset):
    """iNaturalist as released: ``train2019.json`` / ``val2019.json`` with ``images``
    (``id``, ``file_name`` relative to the data root), ``annotations`` (``image_id``,
    ``category_id``) and ``categories`` (``id``, ``name``).

    The label of an image is the rank of its ``category_id`` among the json's category ids
    (iNat2019: ids 0-1009, so label = id; 1,010 classes), the same classes in train and val.

    Args:
        data_root (str): The folder holding the json files and ``train_val2019/``.
        ann_file (str): ``train2019.json`` or ``val2019.json`` (relative to ``data_root``).
        **kwargs: Other arguments of mmpretrain's ``BaseDataset`` (``pipeline``,
            ``test_mode``, ``indices``, ...).
    """

    def __init__(self, data_root: str = '', ann_file: str = '', **kwargs) -> None:
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        with open(self.ann_file) as f:
            data = json.load(f)
        for key in ('images', 'annotations', 'categories'):
            if key not in data:
                raise ValueError(f'{self.ann_file} is not an iNaturalist json: it has no '
                                 f'{key!r} list (keys: {sorted(data)})')
        ids = sorted(c['id'] for c in data['categories'])
        label = {cid: i for i, cid in enumerate(ids)}
        names = {c['id']: c.get('name', str(c['id'])) for c in data['categories']}
        self._metainfo['classes'] = tuple(names[cid] for cid in ids)
        category = {a['image_id']: a['category_id'] for a in data['annotations']}
        return [dict(img_path=osp.join(self.data_root, image['file_name']),
                     gt_label=label[category[image['id']]])
                for image in data['images'] if image['id'] in category]

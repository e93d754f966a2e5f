"""Semantic masks from COCO instance annotations: a small real segmentation set (e.g. from
coco128) in the folder layout ``--seg-data`` reads.

Layout written (and read by :mod:`qbheat_mm.datasets.seg_folder`)::

    OUT/classes.txt                    one class name per line; line i is mask value i
    OUT/images/<split>/<stem>.jpg      the COCO images (copied)
    OUT/annotations/<split>/<stem>.png one uint8 mask per image

Mask values: 0 = ``background`` (no instance), i = the i-th category present in the
annotation file (COCO id order), 255 = ignored (``iscrowd`` regions). Where instances
overlap, the smaller one is drawn last, so it stays visible.
"""
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional, Sequence

import numpy as np

IGNORE_INDEX = 255
SPLITS = ('training', 'validation')


def semantic_mask(coco, image_id: int, label_of: Dict[int, int]) -> np.ndarray:
    """(H, W) uint8 mask of one image: 0 background, ``label_of[category_id]`` on its
    instances (largest first), 255 on crowd regions."""
    info = coco.imgs[image_id]
    mask = np.zeros((info['height'], info['width']), np.uint8)
    anns = sorted(coco.imgToAnns.get(image_id, []), key=lambda a: -a.get('area', 0))
    for ann in anns:
        if ann['category_id'] not in label_of:
            continue
        pixels = coco.annToMask(ann).astype(bool)
        mask[pixels] = IGNORE_INDEX if ann.get('iscrowd', 0) else label_of[ann['category_id']]
    return mask


def coco_to_semantic(ann_file: str, image_dir: str, out_dir: str, val_count: int = 0,
                     limit: Optional[int] = None) -> Dict[str, object]:
    """Write the semantic set of one COCO annotation file.

    Args:
        ann_file: ``instances_*.json``.
        image_dir: the folder its ``file_name`` entries are relative to.
        out_dir: output folder (created; existing files are overwritten).
        val_count: the last ``val_count`` images (in id order) form ``validation``; the rest
            ``training``. 0 puts every image in both splits.
        limit: keep only the first ``limit`` images (in id order) before splitting.

    Returns:
        ``dict(classes=[...], training=n_images, validation=n_images)``.
    """
    from PIL import Image
    from pycocotools.coco import COCO
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'no COCO annotation file {ann_file!r}')
    coco = COCO(ann_file)
    ids: List[int] = sorted(coco.imgs)[:limit]
    if not 0 <= val_count < len(ids):
        raise ValueError(f'val_count must be in [0, {len(ids)}) for {len(ids)} images, '
                         f'not {val_count}')
    used = sorted({a['category_id'] for i in ids for a in coco.imgToAnns.get(i, [])})
    label_of = {cat: i + 1 for i, cat in enumerate(used)}
    classes = ['background'] + [coco.cats[c]['name'] for c in used]
    split_ids: Dict[str, Sequence[int]] = (
        {'training': ids[:len(ids) - val_count], 'validation': ids[len(ids) - val_count:]}
        if val_count else {'training': ids, 'validation': ids})
    for split, members in split_ids.items():
        os.makedirs(osp.join(out_dir, 'images', split), exist_ok=True)
        os.makedirs(osp.join(out_dir, 'annotations', split), exist_ok=True)
        for image_id in members:
            name = coco.imgs[image_id]['file_name']
            stem = osp.splitext(osp.basename(name))[0]
            shutil.copyfile(osp.join(image_dir, name),
                            osp.join(out_dir, 'images', split, stem + osp.splitext(name)[1]))
            Image.fromarray(semantic_mask(coco, image_id, label_of)).save(
                osp.join(out_dir, 'annotations', split, stem + '.png'))
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.write('\n'.join(classes) + '\n')
    return dict(classes=classes, **{s: len(m) for s, m in split_ids.items()})

"""Every pretraining config reads any folder of images (labels are unused): class folders
without meta/, any number of them, or no class folders at all; an empty folder is refused with
one clear error."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import DATASETS
from PIL import Image

from qbheat_mm.datasets import check_data_roots

from .conftest import REPO

PRETRAINING = sorted(p for d in ('qbheat', 'lewel', 'bagssl', 'vicreg', 'gtsa', 'mocov2')
                     for p in glob.glob(osp.join(REPO, 'configs', d, '*.py')))


def images(folder, count, classes=0, seed=0):
    rng = np.random.default_rng(seed)
    for i in range(count):
        sub = osp.join(folder, f'class{i % classes}') if classes else folder
        os.makedirs(sub, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (300, 320, 3), dtype=np.uint8)).save(
            osp.join(sub, f'{i}.jpg'))


@pytest.fixture(scope='module')
def layouts(tmp_path_factory):
    root = tmp_path_factory.mktemp('folders')
    images(str(root / 'classes' / 'train'), 20, classes=10)     # 10 class folders, no meta/
    images(str(root / 'flat' / 'train'), 6)                      # no class folders
    images(str(root / 'plain'), 5)                               # images right in the root
    os.makedirs(root / 'empty' / 'train')
    return root


def test_the_pretraining_configs_are_found():
    assert len(PRETRAINING) >= 20


@pytest.mark.parametrize('path', PRETRAINING, ids=lambda p: osp.relpath(p, REPO))
def test_pretraining_config_reads_any_image_folder(path, layouts):
    cfg = Config.fromfile(path)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    for name, prefix, count in (('classes', 'train', 20), ('flat', 'train', 6),
                                ('plain', '', 5)):
        cfg.train_dataloader.dataset.update(data_root=str(layouts / name), data_prefix=prefix)
        check_data_roots(cfg, ('train_dataloader', ))
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        assert len(dataset) == count, (name, len(dataset))
        assert dataset[0]['inputs'] is not None
    cfg.train_dataloader.dataset.update(data_root=str(layouts / 'empty'), data_prefix='train')
    with pytest.raises(FileNotFoundError, match='holds no images'):
        check_data_roots(cfg, ('train_dataloader', ))

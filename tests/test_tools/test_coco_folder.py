"""``--coco-data DIR``: a stock-style detection config on any COCO-format folder in one flag
(loaders, evaluators, and classes when the folder's categories are not COCO's 80), and what
tools/test.py says when the detector keeps no box (mmdet only logs 'empty' and exits 0)."""
import json
import os
import os.path as osp
import re
import sys

import pytest
import torch

from ..conftest import REPO, shared_data
from .helpers import run

RETINANET = osp.join(REPO, 'configs', 'mmdet', 'retinanet_mobileformer-26m_fpn_frozen_1x_coco.py')


def small_coco(tmp_path, coco: str, names=('thing', 'other')) -> str:
    """A COCO-format folder of 2 coco128 images whose boxes carry 2 new categories, with a
    train and a val split (the same 2 images)."""
    with open(osp.join(coco, 'annotations', 'instances_train2017.json')) as f:
        full = json.load(f)
    images = full['images'][:2]
    ids = {im['id'] for im in images}
    anns = [dict(a, category_id=1 + a['category_id'] % 2) for a in full['annotations']
            if a['image_id'] in ids]
    data = dict(images=images, annotations=anns,
                categories=[dict(id=i + 1, name=n) for i, n in enumerate(names)])
    root = tmp_path / 'mine'
    os.makedirs(root / 'annotations')
    for split in ('train', 'val'):
        (root / 'annotations' / f'instances_{split}.json').write_text(json.dumps(data))
        os.makedirs(root / split)
        for im in images:
            os.symlink(osp.join(coco, 'train2017', im['file_name']),
                       root / split / im['file_name'])
    return str(root)


def test_coco128_sets_every_loader_and_evaluator():
    from mmengine.config import Config

    from qbheat_mm.datasets.coco_folder import use_coco_folder
    coco = shared_data('coco128')
    cfg = Config.fromfile(RETINANET)
    picked = use_coco_folder(cfg, coco)
    assert picked == dict(train='train2017', eval='train2017', classes=None)
    ann = osp.join(osp.abspath(coco), 'annotations', 'instances_train2017.json')
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[key].dataset
        assert osp.join(dataset.data_root, dataset.ann_file) == ann
        assert dataset.data_prefix == dict(img='train2017/')
        assert 'metainfo' not in dataset
    assert cfg.val_evaluator.ann_file == cfg.test_evaluator.ann_file == ann
    assert cfg.model.bbox_head.num_classes == 80


def test_other_categories_replace_the_80_and_the_split_names_are_found(tmp_path):
    from mmengine.config import Config

    from qbheat_mm.datasets.coco_folder import use_coco_folder
    root = small_coco(tmp_path, shared_data('coco128'))
    cfg = Config.fromfile(RETINANET)
    picked = use_coco_folder(cfg, root)
    assert picked == dict(train='train', eval='val', classes=('thing', 'other'))
    assert cfg.train_dataloader.dataset.data_prefix == dict(img='train/')
    assert cfg.test_dataloader.dataset.ann_file == 'annotations/instances_val.json'
    assert cfg.test_dataloader.dataset.metainfo == dict(classes=('thing', 'other'))
    assert cfg.model.bbox_head.num_classes == 2


def test_not_a_coco_folder_and_not_a_detector_get_one_message(tmp_path):
    from mmengine.config import Config

    from qbheat_mm.datasets import DataRootError
    from qbheat_mm.datasets.coco_folder import use_coco_folder
    os.makedirs(tmp_path / 'annotations')
    (tmp_path / 'annotations' / 'instances_train.json').write_text('{}')   # no train/ folder
    with pytest.raises(DataRootError, match=r'instances_<split>\.json.*<split>/'):
        use_coco_folder(Config.fromfile(RETINANET), str(tmp_path))
    with pytest.raises(SystemExit, match='detection configs'):
        use_coco_folder(Config.fromfile(
            osp.join(REPO, 'configs', 'qbheat', 'mobileformer-26m_demo.py')), str(tmp_path))
    out = run([sys.executable, 'tools/train.py', RETINANET, '--coco-data', str(tmp_path)],
              check=False)
    assert out.returncode != 0 and 'error: --coco-data' in out.stderr
    assert 'Traceback' not in out.stderr


def test_train_then_test_on_a_folder_with_its_own_categories(tmp_path):
    """One flag trains a frozen RetinaNet on a 2-category folder (head of 2 classes) and
    evaluates it; the untrained detector keeps no box at 0.05, which tools/test.py explains
    (rc != 0, the threshold key named) instead of mmdet's bare 'empty' line and rc 0; with the
    threshold lowered as the message says, the 12-line AP table comes."""
    root = small_coco(tmp_path, shared_data('coco128'))
    work = str(tmp_path / 'work')
    # a process of its own: mmdet's visualizer is a named global instance, and an in-process
    # run would keep later in-process detector runs logging into this work dir
    run([sys.executable, 'tools/train.py',
         RETINANET, '--coco-data', root, '--work-dir', work, '--no-validate', '--cfg-options',
         'model.backbone.init_cfg=None', 'train_cfg.max_epochs=1',
         'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False'],
        timeout=900)
    checkpoint = osp.join(work, 'epoch_1.pth')
    state = torch.load(checkpoint, map_location='cpu', weights_only=False)['state_dict']
    assert state['bbox_head.retina_cls.weight'].shape[0] == 2 * 9     # 2 classes × 9 anchors
    test = [sys.executable, 'tools/test.py', RETINANET, checkpoint, '--coco-data', root,
            '--work-dir', str(tmp_path / 'eval'), '--cfg-options', 'model.backbone.init_cfg=None',
            'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False']
    empty = run(test, check=False, timeout=900)
    assert empty.returncode != 0, empty.stdout[-2000:]
    assert 'error: empty result' in empty.stderr
    assert 'model.test_cfg.score_thr=0.05' in empty.stderr
    table = run(test + ['model.test_cfg.score_thr=0.0'], timeout=900)
    assert len(re.findall(r'Average (Precision|Recall) +\((AP|AR)\) @\[ IoU=',
                          table.stdout)) == 12, table.stdout[-3000:]


def test_image_scale_resizes_every_pipeline_and_names_what_it_cannot(tmp_path):
    """--image-scale W H: the Resize steps of the train, val and test pipelines scale to
    (W, H) (keep_ratio stays): a VOC image of longer side 256 comes out with longer side 128;
    a config that resizes otherwise gets one message naming the fix."""
    from mmengine.config import Config

    from qbheat_mm.datasets.coco_folder import set_image_scale, use_coco_folder
    voc = shared_data('voc2007-small')
    cfg = Config.fromfile(RETINANET)
    use_coco_folder(cfg, voc)
    assert set_image_scale(cfg, (128, 128)) == 3
    from mmdet.registry import DATASETS
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
    for key in ('train_dataloader', 'test_dataloader'):
        dataset = DATASETS.build(cfg[key].dataset)
        item = dataset[0]
        sample = item['data_samples']
        assert max(sample.img_shape) == 128, (key, sample.img_shape)
        assert max(sample.ori_shape) == 256
    cfg.train_dataloader.dataset.pipeline[2] = dict(type='RandomResize', scale=(1333, 800))
    with pytest.raises(SystemExit, match=r"RandomResize.*--cfg-options"):
        set_image_scale(cfg, (128, 128))
    with pytest.raises(SystemExit, match='two positive sizes'):
        set_image_scale(cfg, (0, 128))


def test_image_scale_flag_of_the_tools(tmp_path):
    coco = shared_data('coco128')
    proc = run([sys.executable, 'tools/train.py', RETINANET, '--coco-data', coco,
                '--image-scale', '96', '96', '--work-dir', str(tmp_path / 'w'), '--cfg-options',
                'train_cfg.max_epochs=1', 'train_dataloader.dataset.indices=2',
                'train_dataloader.batch_size=2', 'model.backbone.init_cfg=None',
                '--no-validate'])
    assert '--image-scale: 3 Resize steps now scale to (96, 96)' in proc.stdout
    dumped = open(next(osp.join(tmp_path, 'w', f) for f in os.listdir(tmp_path / 'w')
                       if f.endswith('.py'))).read()
    assert len(re.findall(r'scale=\(\s*96,\s*96,?\s*\)', dumped)) >= 2   # train + val/test


def test_subset_evaluation_scores_only_the_evaluated_images(tmp_path):
    """tools/test.py --subset N: the AP equals the AP computed against an annotation file
    restricted to those N images by hand; dataset indices under CocoMetric warn instead."""
    voc = shared_data('voc2007-small')
    config = osp.join(REPO, 'configs', 'mmdet',
                      'retinanet_mobileformer-26m_fpn64_frozen_2x_voc-256px.py')
    work = tmp_path / 'w'
    common = ['--coco-data', voc, '--image-scale', '128', '128']
    run([sys.executable, 'tools/train.py', config, *common, '--work-dir', str(work),
         '--no-validate', '--cfg-options', 'model.backbone.init_cfg=None',
         'train_cfg.max_epochs=1', 'train_dataloader.dataset.indices=16',
         'train_dataloader.persistent_workers=False'])
    ckpt = str(work / 'epoch_1.pth')
    low = 'model.test_cfg.score_thr=0.0'
    sub = run([sys.executable, 'tools/test.py', config, ckpt, *common, '--subset', '6',
               '--work-dir', str(tmp_path / 't1'), '--metrics-json', str(tmp_path / 'sub.json'),
               '--cfg-options', low])
    assert '--subset: evaluating and scoring 6 images' in sub.stdout
    with open(osp.join(voc, 'annotations', 'instances_val.json')) as f:
        full = json.load(f)
    images = full['images'][:6]
    ids = {im['id'] for im in images}
    by_hand = tmp_path / 'six.json'
    by_hand.write_text(json.dumps(dict(full, images=images, annotations=[
        a for a in full['annotations'] if a['image_id'] in ids])))
    ref = run([sys.executable, 'tools/test.py', config, ckpt, *common,
               '--work-dir', str(tmp_path / 't2'), '--metrics-json', str(tmp_path / 'ref.json'),
               '--cfg-options', low, f'test_dataloader.dataset.ann_file={by_hand}',
               f'test_evaluator.ann_file={by_hand}'])
    assert 'WARNING: test_dataloader' not in ref.stdout
    got, want = (json.loads((tmp_path / n).read_text()) for n in ('sub.json', 'ref.json'))
    assert got == want and 'coco/bbox_mAP' in got
    diluted = run([sys.executable, 'tools/test.py', config, ckpt, *common,
                   '--work-dir', str(tmp_path / 't3'), '--cfg-options', low,
                   'test_dataloader.dataset.indices=6'])
    assert 'WARNING: test_dataloader.dataset.indices=6 evaluates 6 images' in diluted.stdout
    assert '--subset 6' in diluted.stdout

"""Segmentation transfer through stock mmseg: the COCO-derived semantic set, --seg-data, every
configs/mmseg config building with our backbones, a frozen Mobile-Former Semantic FPN and
GTSA's ViT-S/16 ADE20K protocol trained a few iterations and scored by tools/test.py."""
import json
import os
import os.path as osp
import re
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from qbheat_mm.datasets.coco_semantic import coco_to_semantic
from qbheat_mm.datasets.data_root_check import DataRootError
from qbheat_mm.datasets.seg_folder import use_seg_folder

from .conftest import REPO, shared_data
from .test_tools.helpers import run

MMSEG = osp.join(REPO, 'configs', 'mmseg')
FROZEN_26M = osp.join(MMSEG, 'fpn_mobileformer-26m_frozen_4xb4-160k_ade20k-512x512.py')
GTSA_ADE = osp.join(MMSEG, 'fpn_gtsa-vit-small-p16_8xb2-40k_ade20k-512x512.py')
LEWEL_VOC = osp.join(MMSEG, 'fcn_lewel-b-resnet50-d8_4xb4-20k_voc12aug-512x512.py')
QUIET_LOADERS = ['train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
                 'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
                 'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False']


def polygon(x0, y0, x1, y1):
    return [[x0, y0, x1, y0, x1, y1, x0, y1]]


def test_semantic_masks_from_instances(tmp_path):
    """Hand-made annotations: background 0, categories renumbered in id order over those
    present, the smaller of two overlapping instances on top, crowd regions 255."""
    images = tmp_path / 'img'
    images.mkdir()
    for name in ('a.jpg', 'b.jpg'):
        Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(images / name)
    coco = {
        'images': [{'id': 1, 'file_name': 'a.jpg', 'height': 20, 'width': 30},
                   {'id': 2, 'file_name': 'b.jpg', 'height': 20, 'width': 30}],
        'categories': [{'id': 3, 'name': 'cat'}, {'id': 7, 'name': 'dog'},
                       {'id': 9, 'name': 'unused'}],
        'annotations': [
            {'id': 1, 'image_id': 1, 'category_id': 7, 'segmentation': polygon(2, 2, 20, 15),
             'area': 234, 'bbox': [2, 2, 18, 13], 'iscrowd': 0},
            {'id': 2, 'image_id': 1, 'category_id': 3, 'segmentation': polygon(5, 5, 10, 10),
             'area': 25, 'bbox': [5, 5, 5, 5], 'iscrowd': 0},
            {'id': 3, 'image_id': 2, 'category_id': 3, 'segmentation': polygon(0, 0, 6, 6),
             'area': 36, 'bbox': [0, 0, 6, 6], 'iscrowd': 1}]}
    ann = tmp_path / 'instances.json'
    ann.write_text(json.dumps(coco))
    out = tmp_path / 'sem'
    made = coco_to_semantic(str(ann), str(images), str(out), val_count=1)
    assert made == dict(classes=['background', 'cat', 'dog'], training=1, validation=1)
    assert (out / 'classes.txt').read_text().split('\n')[:3] == ['background', 'cat', 'dog']
    a = np.array(Image.open(out / 'annotations' / 'training' / 'a.png'))
    assert a.shape == (20, 30) and a.dtype == np.uint8
    assert a[0, 0] == 0 and a[12, 15] == 2 and a[7, 7] == 1     # cat drawn over the dog
    assert set(np.unique(a)) == {0, 1, 2}
    b = np.array(Image.open(out / 'annotations' / 'validation' / 'b.png'))
    assert b[3, 3] == 255 and b[15, 25] == 0
    assert (out / 'images' / 'validation' / 'b.jpg').is_file()
    with pytest.raises(ValueError, match='val_count'):
        coco_to_semantic(str(ann), str(images), str(tmp_path / 'x'), val_count=2)


@pytest.fixture(scope='module')
def semantic_set(tmp_path_factory):
    """coco128's first 14 images as a semantic set: 10 training, 4 validation."""
    coco = shared_data('coco128')
    out = str(tmp_path_factory.mktemp('coco128_semantic'))
    coco_to_semantic(osp.join(coco, 'annotations', 'instances_train2017.json'),
                     osp.join(coco, 'train2017'), out, val_count=4, limit=14)
    return out


def test_seg_data_points_every_loader_at_the_folder(semantic_set):
    classes = open(osp.join(semantic_set, 'classes.txt')).read().split()
    cfg = Config.fromfile(LEWEL_VOC)        # VOC aug: a ConcatDataset of two PascalVOCDatasets
    picked = use_seg_folder(cfg, semantic_set)
    assert picked['train'] == 'training' and picked['eval'] == 'validation'
    train = cfg.train_dataloader.dataset
    assert train.type == 'BaseSegDataset' and 'datasets' not in train
    assert train.data_prefix == dict(img_path='images/training',
                                     seg_map_path='annotations/training')
    assert cfg.test_dataloader.dataset.data_prefix.img_path == 'images/validation'
    assert train.metainfo['classes'] == tuple(picked['classes'])
    assert cfg.model.decode_head.num_classes == cfg.model.auxiliary_head.num_classes \
        == len(picked['classes'])
    assert all(step.get('reduce_zero_label') is False for step in train.pipeline
               if step['type'] == 'LoadAnnotations')
    assert len(picked['classes']) >= 10 and picked['classes'][0] == 'background' == classes[0]
    with pytest.raises(DataRootError, match='no classes.txt'):
        use_seg_folder(Config.fromfile(FROZEN_26M), osp.join(semantic_set, 'images'))
    with pytest.raises(SystemExit, match='--coco-data'):
        use_seg_folder(Config.fromfile(osp.join(
            REPO, 'configs/mmdet/retinanet_mobileformer-26m_fpn_frozen_1x_coco.py')),
            semantic_set)


@pytest.mark.parametrize('name', sorted(os.listdir(MMSEG)))
def test_mmseg_configs_build_with_our_backbones(name):
    from mmseg.registry import MODELS
    cfg = Config.fromfile(osp.join(MMSEG, name))
    assert cfg.default_scope == 'mmseg' and 'qbheat_mm' in cfg.custom_imports.imports
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model)
    model.eval()
    with torch.no_grad():
        logits = model._forward(torch.randn(1, 3, 64, 64))
    assert logits.shape[:2] == (1, cfg.model.decode_head.num_classes)


def test_stock_mmseg_config_takes_mobileformer_with_custom_imports_alone(tmp_path):
    text = ("_base_ = 'mmseg::sem_fpn/fpn_r50_4xb4-160k_ade20k-512x512.py'\n"
            "custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)\n"
            "model = dict(pretrained=None, backbone=dict(_delete_=True, type='MobileFormer', "
            "arch='26m', out_indices=(1, 2, 3, 4)), neck=dict(in_channels=[12, 24, 64, 96]))\n")
    path = tmp_path / 'stock.py'
    path.write_text(text)
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    model = MODELS.build(Config.fromfile(str(path)).model).eval()
    with torch.no_grad():
        assert model._forward(torch.randn(1, 3, 64, 64)).shape == (1, 150, 16, 16)


def backbone_of(path):
    state = torch.load(path, map_location='cpu', weights_only=False)['state_dict']
    return {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}


def test_frozen_mobileformer_semantic_fpn_trains_and_scores(tmp_path, semantic_set):
    """Stock Semantic FPN on a frozen MF-26M: 3 iterations on the coco128 set, the backbone
    (weights and BN statistics) bitwise unchanged, the head trained, then tools/test.py prints
    the per-class IoU table and writes mIoU."""
    from qbheat_mm.models.backbones import MobileFormer
    torch.manual_seed(0)
    source = MobileFormer('26m')
    for m in source.modules():                       # statistics that BN updates would move
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
    ckpt = tmp_path / 'mf26.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in source.state_dict().items()}}, ckpt)
    work = tmp_path / 'seg'
    run([sys.executable, 'tools/train.py', FROZEN_26M, '--seg-data', semantic_set,
         '--work-dir', str(work), '--no-validate', '--cfg-options',
         f'model.backbone.init_cfg.checkpoint={ckpt}', 'train_cfg.max_iters=3',
         'default_hooks.checkpoint.interval=3', 'train_dataloader.batch_size=2',
         *QUIET_LOADERS], timeout=900)
    trained = backbone_of(work / 'iter_3.pth')
    assert set(trained) == set(source.state_dict())
    assert all(torch.equal(trained[k], v) for k, v in source.state_dict().items())
    head = torch.load(work / 'iter_3.pth', map_location='cpu', weights_only=False)['state_dict']
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    cfg = Config.fromfile(FROZEN_26M)
    cfg.model.decode_head.num_classes = len(open(osp.join(semantic_set, 'classes.txt'))
                                            .read().split('\n')) - 1
    cfg.model.backbone.init_cfg = None
    fresh = MODELS.build(cfg.model).state_dict()
    key = 'decode_head.conv_seg.weight'
    assert fresh[key].shape == head[key].shape and not torch.equal(fresh[key], head[key])

    metrics = tmp_path / 'metrics.json'
    proc = run([sys.executable, 'tools/test.py', FROZEN_26M, str(work / 'iter_3.pth'),
                '--seg-data', semantic_set, '--work-dir', str(tmp_path / 'test'),
                '--metrics-json', str(metrics), '--cfg-options', *QUIET_LOADERS], timeout=900)
    out = proc.stdout + proc.stderr
    assert re.search(r'\|\s+Class\s+\|\s+IoU\s+\|\s+Acc\s+\|', out)
    assert re.search(r'\|\s+background\s+\|\s+[\d.]+\s+\|', out)
    assert re.search(r'mIoU: \d+\.\d+', out)
    scores = json.loads(metrics.read_text())
    assert set(scores) == {'aAcc', 'mIoU', 'mAcc'} and 0 < scores['aAcc'] <= 100


def test_gtsa_vit_ade20k_protocol_trains_and_scores(tmp_path, semantic_set):
    """GTSA's ADE20K Semantic FPN on a converted official-layout ViT-S/16 checkpoint: every
    tensor but the final norm lands (position embedding resized to 32 x 32 for 512 inputs),
    the schedule is the official one, one iteration fine-tunes the backbone, tools/test.py
    scores it."""
    from mmseg.registry import MODELS

    from qbheat_mm.converters import convert_gtsa

    from .test_converters_official_ssl import dino_vit_state
    teacher = dino_vit_state(1)
    converted = convert_gtsa({'model': {f'momentum_encoder.{k}': v
                                        for k, v in teacher.items()}})
    ckpt = tmp_path / 'gtsa_vit.pth'
    torch.save({'state_dict': converted}, ckpt)

    cfg = Config.fromfile(GTSA_ADE)
    assert cfg.model.backbone.out_indices == (2, 5, 8, 11)
    assert cfg.train_cfg.max_iters == 40000 and cfg.train_dataloader.batch_size == 2
    assert cfg.optim_wrapper.optimizer == dict(type='AdamW', lr=6e-5, betas=(0.9, 0.999),
                                               weight_decay=0.01)
    warmup, poly = cfg.param_scheduler
    assert (warmup.type, warmup.end, poly.type, poly.power, poly.begin, poly.end) == (
        'LinearLR', 1500, 'PolyLR', 1.0, 1500, 40000)
    cfg.model.backbone.init_cfg.checkpoint = str(ckpt)
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model)
    model.init_weights()
    state = model.backbone.state_dict()
    saved = {k[len('backbone.'):]: v for k, v in converted.items()}
    assert set(state) == set(saved) - {'ln1.weight', 'ln1.bias'}     # no final norm
    assert all(torch.equal(state[k], saved[k]) for k in state if k != 'pos_embed')
    assert state['pos_embed'].shape == (1, 1 + 32 * 32, 384)
    assert torch.equal(state['pos_embed'][:, 0], saved['pos_embed'][:, 0])   # class token's

    work = tmp_path / 'gtsa'
    run([sys.executable, 'tools/train.py', GTSA_ADE, '--seg-data', semantic_set,
         '--work-dir', str(work), '--no-validate', '--cfg-options',
         f'model.backbone.init_cfg.checkpoint={ckpt}', 'train_cfg.max_iters=1',
         'default_hooks.checkpoint.interval=1', *QUIET_LOADERS], timeout=900)
    tuned = backbone_of(work / 'iter_1.pth')
    assert not torch.equal(tuned['layers.0.attn.qkv.weight'], saved['layers.0.attn.qkv.weight'])
    proc = run([sys.executable, 'tools/test.py', GTSA_ADE, str(work / 'iter_1.pth'),
                '--seg-data', semantic_set, '--work-dir', str(tmp_path / 'test'),
                '--cfg-options', 'test_dataloader.dataset.indices=2', *QUIET_LOADERS],
               timeout=900)
    assert re.search(r'mIoU: \d+\.\d+', proc.stdout + proc.stderr)


def test_lewel_voc_config_takes_the_converted_resnet50():
    """The VOC FCN-D8 config's backbone is the plain-stem ResNet-50 of LEWEL's checkpoints:
    every converted tensor lands, layer4 keeps FCN's dilation."""
    from mmseg.registry import MODELS

    from qbheat_mm.converters import convert_lewel

    from .test_converters_official_ssl import lewel_checkpoint
    checkpoint, online, _ = lewel_checkpoint()
    converted = convert_lewel(checkpoint)
    cfg = Config.fromfile(LEWEL_VOC)
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmseg')
    model = MODELS.build(cfg.model)
    model.backbone.load_state_dict({k[len('backbone.'):]: v for k, v in converted.items()},
                                   strict=True)
    assert torch.equal(model.backbone.conv1.weight, online.conv1.weight)
    # FCN-D8: layer4 dilated by 4 (its first block by 2, contract_dilation), stride 8 overall
    assert model.backbone.layer4[1].conv2.dilation == (4, 4)
    assert model.backbone(torch.randn(1, 3, 64, 64))[-1].shape[-2:] == (8, 8)


def test_dist_scripts_serve_mmseg_configs(tmp_path, semantic_set):
    """tools/dist_train.sh and dist_test.sh run a stock-based mmseg config in 2 gloo
    processes (its SyncBN layers become per-process BN on CPUs) and score it."""
    from qbheat_mm.models.backbones import MobileFormer
    ckpt = tmp_path / 'mf26.pth'
    torch.save({'state_dict': {f'backbone.{k}': v
                               for k, v in MobileFormer('26m').state_dict().items()}}, ckpt)
    work = tmp_path / 'dist'
    proc = run(['bash', 'tools/dist_train.sh', FROZEN_26M, '2', '--seg-data', semantic_set,
                '--work-dir', str(work), '--no-validate', '--cfg-options',
                f'model.backbone.init_cfg.checkpoint={ckpt}', 'train_cfg.max_iters=2',
                'default_hooks.checkpoint.interval=2', 'train_dataloader.batch_size=1',
                *QUIET_LOADERS], timeout=900)
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log and 'SyncBN layer config(s) -> BN' in log
    proc = run(['bash', 'tools/dist_test.sh', FROZEN_26M, str(work / 'iter_2.pth'), '2',
                '--seg-data', semantic_set, '--work-dir', str(tmp_path / 'test'),
                '--cfg-options', *QUIET_LOADERS], timeout=900)
    assert re.search(r'mIoU: \d+\.\d+', proc.stdout + proc.stderr)

"""Transfer on real data from ../shared/data: frozen-backbone detection on coco128 and
probing on imagenette-mini, starting from a QB-Heat demo-config checkpoint."""
import glob
import os.path as osp
import re
import sys

import pytest
import torch

from ..conftest import REPO, shared_data
from ..test_tools.helpers import (load_tool, logged_losses, run, tiny_config, write_config,
                                  write_images)

RESIZE = 256


@pytest.fixture(scope='module')
def qbheat_checkpoint(tmp_path_factory):
    """A QB-Heat pretraining checkpoint of the demo config (MF-26M), 2 iterations."""
    tmp = tmp_path_factory.mktemp('pretrain')
    root = write_images(str(tmp / 'data'), count=4)
    work_dir = str(tmp / 'work')
    load_tool('train.py').main([tiny_config(tmp, root, 2), '--work-dir', work_dir])
    return osp.join(work_dir, 'iter_2.pth')


def backbone_state(path):
    state = torch.load(path, map_location='cpu', weights_only=False)['state_dict']
    return {k: v for k, v in state.items() if k.startswith('backbone.')}


def det_config(tmp_path, base, coco, checkpoint, iters, images=8):
    """A coco128 version of a detection config: small images, fixed order, iteration-based."""
    text = f'''
_base_ = {osp.join(REPO, 'configs', 'mmdet', base)!r}
data_root = {coco + '/'!r}
ann = 'annotations/instances_train2017.json'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=({RESIZE}, {RESIZE}), keep_ratio=True),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=({RESIZE}, {RESIZE}), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                          'scale_factor')),
]
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(data_root=data_root, ann_file=ann, data_prefix=dict(img='train2017/'),
                 indices={images}, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file=ann, data_prefix=dict(img='train2017/'),
                 indices={images}, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + ann)
test_evaluator = val_evaluator
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters={iters},
                 val_interval=100000)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(by_epoch=False, interval={iters}))
log_processor = dict(by_epoch=False, window_size=1)
randomness = dict(seed=0)
model = dict(backbone=dict(init_cfg=dict(checkpoint={checkpoint!r})))
'''
    return write_config(tmp_path, f'{osp.splitext(osp.basename(base))[0]}_coco128', text)


def assert_pretrained_backbone_detects(tmp_path, pretrain_checkpoint: str, base: str) -> None:
    """The README's transfer path for any pretraining checkpoint: extract_backbone.py ->
    a frozen detector config (``base``) trained 2 iterations on coco128 with the backbone
    bitwise unchanged -> tools/test.py prints the 12-line COCO table."""
    coco = shared_data('coco128')
    backbone = str(tmp_path / 'backbone.pth')
    run([sys.executable, 'tools/model_converters/extract_backbone.py', pretrain_checkpoint,
         backbone])
    cfg = det_config(tmp_path, base, coco, backbone, iters=2, images=4)
    work_dir = str(tmp_path / 'detector')
    run([sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir], timeout=900)
    trained = osp.join(work_dir, 'iter_2.pth')
    before = torch.load(backbone, weights_only=True)['state_dict']
    after = backbone_state(trained)
    assert before.keys() == after.keys()
    assert all(torch.equal(after[k], v) for k, v in before.items())   # frozen, BN included
    proc = run([sys.executable, 'tools/test.py', cfg, trained, '--work-dir',
                str(tmp_path / 'detector_test'), '--cfg-options', 'model.test_cfg.score_thr=0.0'],
               timeout=900)
    table = re.findall(r'Average (Precision|Recall) +\((AP|AR)\) @\[ IoU=', proc.stdout)
    assert len(table) == 12, proc.stdout[-3000:]


def test_retinanet_frozen_backbone_on_coco128(tmp_path, qbheat_checkpoint):
    coco = shared_data('coco128')
    cfg = det_config(tmp_path, 'retinanet_mobileformer-26m_fpn_frozen_1x_coco.py', coco,
                     qbheat_checkpoint, iters=32)
    work_dir = str(tmp_path / 'retina')
    run([sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir,
         '--cfg-options', 'optim_wrapper.optimizer.lr=0.005'], timeout=900)
    losses = logged_losses(work_dir)
    assert len(losses) == 32
    first = sum(losses[i] for i in range(1, 9)) / 8
    last = sum(losses[i] for i in range(25, 33)) / 8
    assert last < first, (first, last)
    before, after = backbone_state(qbheat_checkpoint), backbone_state(
        osp.join(work_dir, 'iter_32.pth'))
    assert before.keys() == after.keys() and any('running_mean' in k for k in before)
    for key, value in before.items():
        assert torch.equal(after[key], value), key   # weights, tokens, BN statistics
    results = str(tmp_path / 'results.pkl')
    proc = run([sys.executable, 'tools/test.py', cfg, osp.join(work_dir, 'iter_32.pth'),
                '--work-dir', str(tmp_path / 'retina_test'), '--out', results,
                '--show-dir', 'drawn',
                # a 32-iteration detector scores below the usual 0.05; keep every box
                '--cfg-options', 'model.test_cfg.score_thr=0.0'], timeout=900)
    table = re.findall(r'Average (Precision|Recall) +\((AP|AR)\) @\[ IoU=', proc.stdout)
    assert len(table) == 12, proc.stdout[-3000:]
    assert 'coco/bbox_mAP' in proc.stdout
    assert osp.getsize(results) > 0                                    # --out
    assert len(glob.glob(str(tmp_path / 'retina_test' / '*' / 'drawn' / '*.jpg'))) == 8


def test_detr_frozen_backbone_on_coco128(tmp_path, qbheat_checkpoint):
    coco = shared_data('coco128')
    cfg = det_config(tmp_path, 'detr_mobileformer-26m_frozen_150e_coco.py', coco,
                     qbheat_checkpoint, iters=4, images=4)
    work_dir = str(tmp_path / 'detr')
    load_tool('train.py').main([cfg, '--work-dir', work_dir])
    losses = logged_losses(work_dir)
    assert len(losses) == 4 and all(torch.isfinite(torch.tensor(v)) for v in losses.values())
    before, after = backbone_state(qbheat_checkpoint), backbone_state(
        osp.join(work_dir, 'iter_4.pth'))
    assert all(torch.equal(after[k], v) for k, v in before.items())


def test_stock_mmdet_config_plus_readme_lines(tmp_path, qbheat_checkpoint):
    """An unchanged mmdet config (FCOS) + the README's override lines trains one iteration."""
    coco = shared_data('coco128')
    readme = open(osp.join(REPO, 'docs', 'en', 'user_guides', 'transfer_detection.md')).read()
    lines = re.search(r'\*\*any\*\* mmdet config.*?```python\n(.*?)```',
                      readme, re.S).group(1)
    lines = lines.replace("'backbone.pth'", repr(qbheat_checkpoint))
    base = osp.join(str(tmp_path), 'user_fcos.py')
    with open(base, 'w') as f:
        f.write("_base_ = 'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py'\n" + lines)
    cfg = det_config(tmp_path, base, coco, qbheat_checkpoint, iters=1, images=2)
    work_dir = str(tmp_path / 'fcos')
    load_tool('train.py').main([cfg, '--work-dir', work_dir])
    assert osp.isfile(osp.join(work_dir, 'iter_1.pth'))
    # without the recipe's data_preprocessor line, FCOS-caffe's BGR / Caffe-mean inputs would
    # reach the RGB-pretrained backbone: NormalizationCheckHook stops the run
    without = re.sub(r'    data_preprocessor=dict\(.*?\),[^\n]*\n', '', lines, flags=re.S)
    assert 'data_preprocessor' not in without and 'NormalizationCheckHook' in without
    with open(base, 'w') as f:
        f.write("_base_ = 'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py'\n" + without)
    from qbheat_mm.converters import NormalizationMismatchError
    with pytest.raises(NormalizationMismatchError, match='BGR, mean \\[103'):
        load_tool('train.py').main([cfg, '--work-dir', str(tmp_path / 'fcos_caffe')])


@pytest.mark.parametrize('probe', ['linear-probe_8xb128-coslr-90e',
                                   'transformer-probe_8xb128-coslr-100e'])
def test_probes_on_imagenette_mini(tmp_path, qbheat_checkpoint, probe):
    data = shared_data('imagenette-mini')
    base = osp.join(REPO, 'configs', 'qbheat', 'benchmarks',
                    f'mobileformer-294m_{probe}_in1k.py')
    text = f'''
_base_ = {base!r}
num_classes = 10
model = dict(
    backbone=dict(arch='26m', init_cfg=dict(checkpoint={qbheat_checkpoint!r})),
    head=dict(num_classes=10))
data_preprocessor = dict(num_classes=10)
train_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root={data!r}))  # meta/train.txt
val_dataloader = dict(batch_size=50, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root={data!r}))  # meta/val.txt
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=6, val_interval=6)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=6))
log_processor = dict(by_epoch=False, window_size=1)
'''
    if 'linear' in probe:
        text += "model.update(neck=[dict(type='PoolTokenNeck', with_token=True), " \
                "dict(type='ClsBatchNormNeck', input_features=224)], " \
                "head=dict(num_classes=10, in_channels=224))\n"
    else:
        text += "model.update(neck=dict(type='TransformerProbeNeck', in_channels=96, " \
                "embed_dims=64, num_heads=4, token_dims=128))\n" \
                "model['head'].update(in_channels=64)\n"
    cfg = str(tmp_path / 'probe.py')
    with open(cfg, 'w') as f:
        f.write(text)
    work_dir = str(tmp_path / 'probe')
    proc = run([sys.executable, 'tools/train.py', cfg, '--work-dir', work_dir], timeout=900)
    assert re.search(r'accuracy/top1: \d+\.\d+', proc.stdout + proc.stderr)
    before, after = backbone_state(qbheat_checkpoint), backbone_state(
        osp.join(work_dir, 'iter_6.pth'))
    assert all(torch.equal(after[k], v) for k, v in before.items())


def test_evaluation_needs_only_the_test_data(tmp_path, monkeypatch):
    """tools/test.py on coco128 passed entirely through --cfg-options, run where no data/coco
    exists (the config's train and val loaders point there): only the test loader is checked."""
    coco = shared_data('coco128')
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    config = osp.join(REPO, 'configs', 'mmdet', 'retinanet_mobileformer-26m_fpn_frozen_1x_coco.py')
    cfg = Config.fromfile(config)
    init_default_scope('mmdet')
    cfg.model.backbone.init_cfg = None
    ckpt = str(tmp_path / 'retinanet.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    ann = osp.join(coco, 'annotations', 'instances_train2017.json')
    test_side = ['test_dataloader.dataset.data_root=' + coco + '/',
                 'test_dataloader.dataset.ann_file=annotations/instances_train2017.json',
                 'test_dataloader.dataset.data_prefix.img=train2017/',
                 'test_dataloader.dataset.indices=2', 'test_dataloader.num_workers=0',
                 'test_dataloader.persistent_workers=False', 'test_evaluator.ann_file=' + ann,
                 'model.test_cfg.score_thr=0.0']
    assert not osp.exists(tmp_path / 'data')
    proc = run([sys.executable, osp.join(REPO, 'tools', 'test.py'), config, ckpt, '--work-dir',
                str(tmp_path / 'eval'), '--cfg-options', *test_side], cwd=str(tmp_path),
               timeout=900)
    table = re.findall(r'Average (Precision|Recall) +\((AP|AR)\) @\[ IoU=', proc.stdout)
    assert len(table) == 12, proc.stdout[-3000:]
    # training still checks its own data, naming the loader and the fix
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match='train_dataloader.*does not exist'):
        load_tool('train.py').main([config, '--work-dir', str(tmp_path / 'train')])


def test_evaluator_annotation_file_is_checked_with_the_test_data(tmp_path):
    """tools/test.py on any COCO-format folder: the evaluator's ann_file is checked with the
    test data (one clear message naming test_evaluator.ann_file, no traceback), and a
    missing annotation file of the dataset names dataset.ann_file."""
    from mmengine.config import Config

    from qbheat_mm.datasets import DataRootError, check_data_roots
    coco = shared_data('coco128')
    ann = 'annotations/instances_train2017.json'
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/mmdet/retinanet_mobileformer-26m_fpn_frozen_1x_coco.py'))
    cfg.test_dataloader.dataset.update(data_root=coco + '/', ann_file=ann,
                                       data_prefix=dict(img='train2017/'))
    with pytest.raises(DataRootError, match=r'test_evaluator\.ann_file .*instances_val2017'):
        check_data_roots(cfg, ('test_dataloader', ))
    cfg.test_evaluator.ann_file = osp.join(coco, ann)
    check_data_roots(cfg, ('test_dataloader', ))
    cfg.test_dataloader.dataset.ann_file = 'annotations/missing.json'
    with pytest.raises(DataRootError, match=r'test_dataloader\.dataset\.ann_file='):
        check_data_roots(cfg, ('test_dataloader', ))
    checkpoint = str(tmp_path / 'any.pth')
    torch.save({'state_dict': {}}, checkpoint)
    out = run(['python', 'tools/test.py',
               'configs/mmdet/retinanet_mobileformer-26m_fpn_frozen_1x_coco.py', checkpoint,
               '--cfg-options', f'test_dataloader.dataset.data_root={coco}/',
               f'test_dataloader.dataset.ann_file={ann}',
               'test_dataloader.dataset.data_prefix.img=train2017/'], check=False)
    assert out.returncode != 0 and 'error: test_evaluator.ann_file' in out.stderr
    assert 'Traceback' not in out.stderr

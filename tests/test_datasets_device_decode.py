"""On-device decoding through its CPU fallback: the byte pipeline draws the same crop boxes and
flips as the worker pipeline for the same random state, the decoded, cropped and resized
pixels are near-identical, and the shipped device-decode configs train."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope

import qbheat_mm  # noqa: F401
from qbheat_mm.models.utils import DeviceDecodeSelfSupDataPreprocessor
from qbheat_mm.models.utils.device_decode_preprocessor import decode_byte_inputs

from .conftest import REPO, shared_data
from .test_tools.helpers import load_tool, logged_losses

SIZE = 96


def pipelines(scale=SIZE):
    init_default_scope('mmpretrain')
    crop = dict(scale=scale, crop_ratio_range=(0.2, 1.0), backend='pillow',
                interpolation='bicubic')
    workers = Compose([dict(type='LoadImageFromFile', imdecode_backend='pillow'),
                       dict(type='RandomResizedCrop', **crop),
                       dict(type='RandomFlip', prob=0.5), dict(type='PackInputs')])
    device = Compose([dict(type='LoadImageBytes'), dict(type='RandomResizedCropBox', **crop),
                      dict(type='RandomFlipFlag', prob=0.5), dict(type='PackImageBytes')])
    return workers, device


def images():
    coco = sorted(glob.glob(osp.join(shared_data('coco128'), 'train2017', '*.jpg')))[:6]
    nette = sorted(glob.glob(osp.join(shared_data('imagenette-mini'), 'train', '*', '*')))[:6]
    return coco + nette


def test_same_boxes_and_near_identical_pixels():
    workers, device = pipelines()
    diffs, flips = [], 0
    for seed, path in enumerate(images()):
        np.random.seed(seed)
        ref = workers(dict(img_path=path))
        np.random.seed(seed)
        out = device(dict(img_path=path))
        sample = out['data_samples']
        # the box the worker pipeline cropped, from the same draws on the decoded image
        np.random.seed(seed)
        from mmpretrain.datasets.transforms import RandomResizedCrop
        decoded = workers.transforms[0](dict(img_path=path))['img']
        reference = RandomResizedCrop(SIZE, crop_ratio_range=(0.2, 1.0))
        top, left, h, w = reference.rand_crop_params(decoded)
        assert sample.crop_box == (left, top, left + w, top + h), path
        assert sample.img_shape == decoded.shape[:2]
        flips += sample.flip
        ours = decode_byte_inputs(pseudo_collate([out]), torch.device('cpu'))['inputs'][0]
        theirs = ref['inputs'].float()           # BGR uint8 from the worker pipeline
        assert ours.shape == theirs.shape == (3, SIZE, SIZE)
        diff = (ours - theirs).abs()
        diffs.append(diff.mean().item())
        assert diff.mean() < 1.0 and torch.quantile(diff.flatten(), 0.99) <= 4, (path, diff.mean())
    assert 0 < flips < len(diffs)                # both flip outcomes were exercised


def test_preprocessor_passes_worker_batches_and_normalises_byte_batches():
    workers, device = pipelines()
    pre = DeviceDecodeSelfSupDataPreprocessor(mean=[123.675, 116.28, 103.53],
                                              std=[58.395, 57.12, 57.375], to_rgb=True)
    paths = images()[:4]
    np.random.seed(0)
    ref = [workers(dict(img_path=p)) for p in paths]
    np.random.seed(0)
    raw = [device(dict(img_path=p)) for p in paths]
    from mmengine.dataset import default_collate
    expected = pre(default_collate(ref))['inputs']
    got = pre(pseudo_collate(raw))['inputs']
    assert got.shape == expected.shape == (4, 3, SIZE, SIZE)
    assert (got - expected).abs().mean() * 58 < 1.0      # < 1 grey level on average


@pytest.mark.parametrize('config,extra', [
    ('configs/qbheat/mobileformer_in1k_device-decode.py', "model = dict(backbone=dict(arch='26m'), neck=dict(in_channels=96), head=dict(decoder=dict(in_channels=96)))\n"),
    ('configs/qbheat/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k_device-decode.py', ''),
])
def test_device_decode_configs_train_on_the_cpu(tmp_path, config, extra):
    data = shared_data('imagenette-mini')
    text = f'''
_base_ = {osp.join(REPO, config)!r}
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root={data!r}))
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=2)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=2))
log_processor = dict(by_epoch=False, window_size=1)
custom_hooks = []
''' + extra
    if 'probe' in config:
        text += ("model = dict(backbone=dict(arch='26m', init_cfg=None), "
                 "neck=[dict(type='PoolTokenNeck', with_token=True), "
                 "dict(type='ClsBatchNormNeck', input_features=224)], "
                 "head=dict(num_classes=10, in_channels=224))\n"
                 "data_preprocessor = dict(num_classes=10)\n")
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(text)
    work = str(tmp_path / 'work')
    load_tool('train.py').main([str(cfg), '--work-dir', work, '--no-validate'])
    losses = logged_losses(work)
    assert sorted(losses) == [1, 2] and all(np.isfinite(v) for v in losses.values())


def test_draft_decoding_keeps_the_boxes_and_the_pixels_within_one_level():
    """DecodeCropResize (decode, crop and resize in one step; JPEGs at reduced scale in the
    DCT domain when the crop shrinks >= 2x even so) against LoadImageFromFile +
    RandomResizedCrop + RandomFlip: same boxes and flips, mean difference < 1 grey level
    per image (tolerance of the reduced-scale decode), and the reduced decode is used."""
    init_default_scope('mmpretrain')
    crop = dict(scale=SIZE, crop_ratio_range=(0.2, 1.0), backend='pillow',
                interpolation='bicubic')
    ref = Compose([dict(type='LoadImageFromFile'),
                   dict(type='RandomResizedCrop', **crop), dict(type='RandomFlip', prob=0.5)])
    fast = Compose([dict(type='LoadImageBytes'), dict(type='RandomResizedCropBox', **crop),
                    dict(type='DecodeCropResize', draft=True),
                    dict(type='RandomFlip', prob=0.5)])
    scales = []
    for seed, path in enumerate(images() * 2):
        np.random.seed(seed)
        a = ref(dict(img_path=path))
        np.random.seed(seed)
        b = fast(dict(img_path=path))
        assert a['img'].shape == b['img'].shape == (SIZE, SIZE, 3)
        assert a['flip'] == b['flip']
        diff = np.abs(a['img'].astype(float) - b['img'].astype(float))
        if b['draft_scale'] == 1:          # full decode: exactly the worker pipeline
            assert diff.max() == 0, path
        else:
            assert diff.mean() < 1.0, (path, b['draft_scale'], diff.mean())
        scales.append(b['draft_scale'])
    assert 1 in scales and max(scales) >= 2


def test_draft_decoding_is_used_and_close_with_a_small_output():
    """A 48 px output from COCO photos: most crops allow a 1/2 or 1/4 decode; the tolerance
    is a mean difference of 1 grey level at 1/2 scale and 2 at 1/4-1/8."""
    init_default_scope('mmpretrain')
    crop = dict(scale=48, crop_ratio_range=(0.2, 1.0), backend='pillow',
                interpolation='bicubic')
    ref = Compose([dict(type='LoadImageFromFile'), dict(type='RandomResizedCrop', **crop)])
    fast = Compose([dict(type='LoadImageBytes'), dict(type='RandomResizedCropBox', **crop),
                    dict(type='DecodeCropResize', draft=True)])
    scales = []
    for seed, path in enumerate(images()[:6]):
        np.random.seed(seed)
        a = ref(dict(img_path=path))['img'].astype(float)
        np.random.seed(seed)
        b = fast(dict(img_path=path))
        scales.append(b['draft_scale'])
        limit = {1: 1e-9, 2: 1.0}.get(b['draft_scale'], 2.0)   # grey levels, mean per image
        assert np.abs(a - b['img'].astype(float)).mean() < limit, (path, b['draft_scale'])
    assert sum(s > 1 for s in scales) >= 3, scales


def test_unsupported_interpolation_is_an_error_not_a_silent_bicubic():
    from mmengine.structures import BaseDataElement

    from qbheat_mm.datasets.transforms.device_decode import DecodeCropResize
    from qbheat_mm.models.utils.device_decode_preprocessor import crop_resize_flip
    image = torch.zeros(3, 8, 8, dtype=torch.uint8)
    sample = BaseDataElement(crop_box=(0, 0, 8, 8), crop_size=(4, 4),
                             crop_interpolation='lanczos')
    with pytest.raises(ValueError, match="'bicubic' or 'bilinear'.*not 'lanczos'"):
        crop_resize_flip([image], [sample])
    sample.crop_interpolation = 'bilinear'
    assert crop_resize_flip([image], [sample]).shape == (1, 3, 4, 4)
    with pytest.raises(ValueError, match="interpolation 'hamming' is not one of"):
        DecodeCropResize().transform(dict(crop_box=(0, 0, 8, 8), crop_size=(4, 4),
                                          img_shape=(8, 8), img_bytes=np.zeros(4, np.uint8),
                                          crop_interpolation='hamming'))

"""The input normalisation a backbone was pretrained with travels in its checkpoint, and
NormalizationCheckHook stops a downstream config that normalises otherwise (mmdet's
``*-caffe`` configs: BGR, Caffe mean, std 1) instead of letting it train on wrong features."""
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

from qbheat_mm.converters import (IMAGENET, NormalizationMismatchError, extract_backbone,
                                  normalization_of_checkpoint, normalization_of_config)
from qbheat_mm.engine.hooks import NormalizationCheckHook

from ..conftest import REPO, shared_data
from ..test_tools.helpers import run

DEMO = osp.join(REPO, 'configs', 'qbheat', 'mobileformer-26m_demo.py')
RETINANET = osp.join(REPO, 'configs', 'mmdet', 'retinanet_mobileformer-26m_fpn_frozen_1x_coco.py')
CAFFE = dict(mean=[102.9801, 115.9465, 122.7717], std=[1.0, 1.0, 1.0], bgr_to_rgb=False)


def backbone_file(tmp_path, cfg_text=None, meta=None) -> str:
    """An extracted backbone checkpoint of a 'training checkpoint' whose meta holds
    ``cfg_text`` (as mmengine writes it) or ``meta``."""
    training = {'state_dict': {'backbone.w': torch.ones(2), 'head.w': torch.zeros(1)},
                'meta': dict(meta or {}, **({'cfg': cfg_text} if cfg_text else {}))}
    path = str(tmp_path / 'backbone.pth')
    torch.save(extract_backbone(training), path)
    return path


def test_normalisation_is_read_from_configs_and_kept_by_extraction(tmp_path):
    assert normalization_of_config(Config.fromfile(DEMO)) == IMAGENET    # to_rgb (mmpretrain)
    assert normalization_of_config(Config.fromfile(RETINANET)) == IMAGENET  # bgr_to_rgb (mmdet)
    fcos = Config.fromfile(osp.join(REPO, 'configs', 'mmdet', 'retinanet_resnet50_fpn_frozen_1x_coco.py'))
    fcos.model.data_preprocessor.update(CAFFE)
    assert normalization_of_config(fcos) == dict(mean=CAFFE['mean'], std=CAFFE['std'], rgb=False)
    path = backbone_file(tmp_path, Config.fromfile(DEMO).pretty_text)
    saved = torch.load(path, weights_only=True)          # still a tensor-only file
    assert saved['meta']['normalization'] == IMAGENET
    assert normalization_of_checkpoint(saved) == IMAGENET
    assert normalization_of_checkpoint({'state_dict': {}}) is None


def detector_cfg(checkpoint: str, **preprocessor) -> Config:
    cfg = Config.fromfile(RETINANET)
    cfg.model.backbone.init_cfg.checkpoint = checkpoint
    cfg.model.data_preprocessor.update(preprocessor)
    return cfg


def test_hook_passes_matching_stops_mismatched_and_can_warn(tmp_path):
    path = backbone_file(tmp_path, Config.fromfile(DEMO).pretty_text)
    assert NormalizationCheckHook().check(detector_cfg(path)) is True
    with pytest.raises(NormalizationMismatchError,
                       match=r'trained on RGB, mean \[123\.7.*gives it BGR, mean \[103.*'
                             r'bgr_to_rgb=True'):
        NormalizationCheckHook().check(detector_cfg(path, **CAFFE))
    assert NormalizationCheckHook(on_mismatch='warn').check(detector_cfg(path, **CAFFE)) is False
    # the channel order alone is enough to stop it
    with pytest.raises(NormalizationMismatchError):
        NormalizationCheckHook().check(detector_cfg(path, bgr_to_rgb=False))
    # nothing to compare: no normalisation recorded, or no checkpoint at all
    bare = str(tmp_path / 'bare.pth')
    torch.save({'state_dict': {'backbone.w': torch.ones(2)}}, bare)
    assert NormalizationCheckHook().check(detector_cfg(bare, **CAFFE)) is None
    assert NormalizationCheckHook().check(detector_cfg('')) is None
    with pytest.raises(ValueError, match="'error' or 'warn'"):
        NormalizationCheckHook(on_mismatch='ignore')


def test_a_caffe_normalised_detector_stops_before_training(tmp_path):
    """tools/train.py with a mismatched detector: one message, no traceback, rc != 0."""
    path = backbone_file(tmp_path, Config.fromfile(DEMO).pretty_text)
    out = run([sys.executable, 'tools/train.py', RETINANET, '--work-dir', str(tmp_path / 'w'),
               '--no-validate', '--cfg-options', f'model.backbone.init_cfg.checkpoint={path}',
               'model.data_preprocessor.bgr_to_rgb=False',
               'model.data_preprocessor.mean=[102.98,115.95,122.77]',
               'model.data_preprocessor.std=[1.0,1.0,1.0]', '--coco-data',
               shared_data('coco128')], check=False)
    assert out.returncode != 0
    assert 'error: input normalisation mismatch' in out.stderr, out.stderr[-3000:]
    assert 'Traceback' not in out.stderr

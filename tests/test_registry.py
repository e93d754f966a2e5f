import pytest

import qbheat_mm  # noqa: F401  (registers everything)
from qbheat_mm.registry import register_all_modules
from mmdet.registry import MODELS as MMDET_MODELS
from mmpretrain.registry import HOOKS, MODELS, TRANSFORMS

MMPRETRAIN_MODELS = ['MobileFormer', 'MobileFormerClsHead', 'HeatExtrapolationNeck',
                     'QBHeatHead', 'QBHeatConvDecoder', 'QBHeatTransformerDecoder', 'QBHeat',
                     'PoolTokenNeck', 'TransformerProbeNeck']
MMPRETRAIN_HOOKS = ['QBHeatVisualizationHook', 'InvalidLossStopHook']


@pytest.mark.parametrize('name', MMPRETRAIN_MODELS)
def test_models_in_mmpretrain(name):
    assert name in MODELS.module_dict


@pytest.mark.parametrize('name', MMPRETRAIN_HOOKS)
def test_hooks_in_mmpretrain(name):
    assert name in HOOKS.module_dict


def test_backbone_in_mmdet_is_the_same_class():
    assert MMDET_MODELS.module_dict['MobileFormer'] is MODELS.module_dict['MobileFormer']


def test_register_twice_is_harmless():
    register_all_modules()
    register_all_modules()
    assert MMDET_MODELS.module_dict['MobileFormer'] is MODELS.module_dict['MobileFormer']


def test_transforms_in_mmpretrain():
    assert 'HueSafeColorJitter' in TRANSFORMS.module_dict

"""The LEWEL ResNet-50 configs exclude from LARS and weight decay what the official
collect_params (LayneH/LEWEL main.py) excludes: BN parameters and biases, and the MLPs'
BatchNorm weights only in the EMAN flavour."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from ..conftest import REPO
from ..test_models.test_algorithms.helpers import build

CONFIGS = {
    'eman': 'configs/lewel/lewel-b_resnet50_8xb128-eman-coslr-100e_in1k.py',
    'syncbn': 'configs/lewel/lewel-b_resnet50_32xb128-syncbn-coslr-400e_in1k.py',
}


def official_excluded(name: str, eman: bool) -> bool:
    """collect_params on our names: mmpretrain's ResNet names BN layers bn1/bn2/bn3 and
    downsample.1 like torchvision's; the official MLP BatchNorm (mlp.1) is our bn0."""
    backbone_bn = name.startswith('backbone.') and ('.bn' in name or 'downsample.1' in name
                                                    or name.startswith('backbone.bn'))
    mlp_bn = ('projector.bn0' in name or 'predictor.bn0' in name)
    return name.endswith('.bias') or backbone_bn or (eman and mlp_bn)


@pytest.mark.parametrize('flavour', list(CONFIGS))
def test_lars_exclusions_are_the_official_ones(flavour):
    cfg = Config.fromfile(osp.join(REPO, CONFIGS[flavour]))
    model_cfg = cfg.model
    for part in ('neck', 'head'):       # narrow MLPs: the names are what matters
        model_cfg[part]['hid_channels'] = 16
        model_cfg[part]['norm_cfg'] = dict(type='BN1d')
    model_cfg.backbone.norm_cfg = dict(type='BN')
    model = build(model_cfg)
    optim_cfg = dict(cfg.optim_wrapper, type='OptimWrapper')
    optim_cfg.pop('loss_scale', None)
    wrapper = build_optim_wrapper(model, optim_cfg)
    excluded = {id(p): g.get('lars_exclude', False) for g in wrapper.optimizer.param_groups
                for p in g['params']}
    no_decay = {id(p): g['weight_decay'] == 0 for g in wrapper.optimizer.param_groups
                for p in g['params']}
    eman = flavour == 'eman'
    names = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    wrong = [n for n, p in names if excluded[id(p)] != official_excluded(n, eman)
             or no_decay[id(p)] != official_excluded(n, eman)]
    assert not wrong, wrong
    mlp_bn_weights = [n for n, _ in names if n.endswith('bn0.weight')]
    assert len(mlp_bn_weights) == 4

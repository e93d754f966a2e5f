import pytest
import torch

from qbheat_mm.converters import convert_official
from qbheat_mm.converters.mobileformer_official import RULES, reference_state_dict


def to_official(ours):
    """Rename our names to the released ones (the inverse of the converter's rules)."""
    out = {}
    for key, value in ours.items():
        for old, new in RULES:
            if key.startswith(new):
                out[old + key[len(new):]] = value
                break
        else:
            raise AssertionError(key)
    return out


@pytest.mark.parametrize('arch', ['26m', '294m'])
def test_roundtrip_detects_arch(arch):
    ours = {k: torch.randn(v.shape) if v.is_floating_point() else v
            for k, v in reference_state_dict(arch, 1000).items()}
    official = to_official(ours)
    assert 'tokens.weight' in official and 'classifier.classifier.1.weight' in official
    assert 'features.1.local_global.alpha.0.weight' in official
    converted, detected = convert_official({'state_dict': official})
    assert detected == arch
    assert converted.keys() == ours.keys()
    assert all(torch.equal(converted[k], ours[k]) for k in ours)


def test_module_prefix_and_errors():
    official = to_official(reference_state_dict('26m', 10))
    converted, arch = convert_official({f'module.{k}': v for k, v in official.items()})
    assert arch == '26m'
    with pytest.raises(KeyError, match="match no Mobile-Former name: \\['extra.w'\\]"):
        convert_official({**official, 'extra.w': torch.ones(1)})
    broken = dict(official)
    broken.pop('features.3.conv1.0.weight')
    with pytest.raises(KeyError, match="missing \\['backbone.features.3.conv1.0.weight'\\]"):
        convert_official(broken, arch='26m')


def timm_training_checkpoint(path, arch='294m'):
    """A file laid out as timm's CheckpointSaver writes it (the authors' training code):
    state_dict, optimizer, epoch, arch, version, args (argparse.Namespace), metric and
    state_dict_ema. Returns (our state dict, our EMA state dict)."""
    import argparse
    ours = {k: torch.randn(v.shape) if v.is_floating_point() else v
            for k, v in reference_state_dict(arch, 1000).items()}
    ema = {k: v * 0.5 if v.is_floating_point() else v for k, v in ours.items()}
    param = torch.nn.Parameter(torch.ones(3))
    optim = torch.optim.SGD([param], lr=0.1, momentum=0.9)
    param.grad = torch.ones(3)
    optim.step()
    args = argparse.Namespace(model=f'mobile_former_{arch}', lr=0.1, epochs=450,
                              model_ema=True, mixup=0.2, aa='rand-m9-mstd0.5', sched='cosine')
    torch.save({'epoch': 449, 'arch': args.model, 'version': 2, 'metric': 77.9,
                'state_dict': {f'module.{k}': v for k, v in to_official(ours).items()},
                'optimizer': optim.state_dict(), 'args': args,
                'state_dict_ema': to_official(ema)}, path)
    return ours, ema


def test_timm_training_checkpoint_converts_and_loads_strictly(tmp_path):
    import os.path as osp

    from mmengine.config import Config

    from qbheat_mm.checkpoint import build_model

    from .conftest import REPO
    from .test_tools.helpers import run
    src = tmp_path / 'model_best.pth.tar'
    ours, ema = timm_training_checkpoint(src)
    with pytest.raises(Exception):       # what the converter used to do with such a file
        torch.load(src, weights_only=True)
    tool = 'tools/model_converters/mobileformer_official_to_mm.py'
    for flag, want in (([], ours), (['--ema'], ema)):
        dst = tmp_path / f'converted{"_ema" if flag else ""}.pth'
        out = run(['python', tool, str(src), str(dst)] + flag)
        assert 'MobileFormer-294m' in out.stdout and 'loading it fully' not in out.stderr
        # the classifier config, strictly
        cls = build_model(Config.fromfile(osp.join(
            REPO, 'configs/mobileformer/mobileformer-294m_8xb128_in1k.py')), str(dst))
        state = cls.state_dict()
        assert all(torch.equal(state[k], v) for k, v in want.items())
    backbone = {k[len('backbone.'):]: v for k, v in ours.items() if k.startswith('backbone.')}
    dst = str(tmp_path / 'converted.pth')
    # the frozen mmdet backbone and the linear-probe config (init_cfg Pretrained, prefix)
    from mmdet.registry import MODELS as DET_MODELS
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    for config, registry, scope in (
            ('configs/mmdet/retinanet_mobileformer-294m_fpn_frozen_1x_coco.py', DET_MODELS,
             'mmdet'),
            ('configs/qbheat/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py',
             MODELS, 'mmpretrain')):
        init_default_scope(scope)
        cfg = Config.fromfile(osp.join(REPO, config))
        cfg.model.backbone.init_cfg.checkpoint = dst
        model = registry.build(cfg.model)
        model.init_weights()
        state = model.backbone.state_dict()
        assert set(state) == set(backbone), config
        assert all(torch.equal(state[k], v) for k, v in backbone.items()), config
        # the converted file records the authors' input normalisation (ImageNet mean/std, RGB)
        from qbheat_mm.engine.hooks import NormalizationCheckHook
        assert NormalizationCheckHook().check(cfg) is True, config


def test_ema_flag_without_ema_weights_is_one_clear_error(tmp_path):
    from .test_tools.helpers import run
    src = tmp_path / 'plain.pth'
    torch.save({'state_dict': to_official(reference_state_dict('26m', 10))}, src)
    out = run(['python', 'tools/model_converters/mobileformer_official_to_mm.py', str(src),
               str(tmp_path / 'x.pth'), '--ema'], check=False)
    assert out.returncode != 0 and 'has no state_dict_ema' in out.stderr
    assert 'Traceback' not in out.stderr

import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import qbheat_mm  # noqa: F401
from qbheat_mm.checkpoint import load_local_checkpoint
from qbheat_mm.converters import extract_backbone
from qbheat_mm.models import MobileFormer


def test_local_scheme_is_ours():
    assert CheckpointLoader._schemes[''] is load_local_checkpoint


def test_full_checkpoint_loads_through_mmengine(tmp_path):
    """A pickled, non-tensor object (as in Runner checkpoints) needs the trusted fallback."""
    from mmengine.logging import HistoryBuffer
    path = tmp_path / 'full.pth'
    torch.save({'state_dict': {'w': torch.ones(2)}, 'message_hub': HistoryBuffer([1.0], [1])}, path)
    with pytest.raises(Exception):
        torch.load(path, weights_only=True)
    ckpt = _load_checkpoint(str(path), map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))


def test_backbone_checkpoint_is_tensor_only_and_loads_with_prefix(tmp_path):
    source = MobileFormer('26m', out_indices=(4, ))
    source.init_weights()
    training_ckpt = {
        'meta': {'iter': 300, 'epoch': 1, 'cfg': 'model = dict()'},
        'state_dict': {**{f'backbone.{k}': v for k, v in source.state_dict().items()},
                       'neck.A': torch.zeros(96, 96)},
    }
    out = extract_backbone(training_ckpt, meta={'arch': '26m'})
    assert all(k.startswith('backbone.') for k in out['state_dict'])
    assert out['meta']['iter'] == 300 and out['meta']['arch'] == '26m'
    path = tmp_path / 'backbone.pth'
    torch.save(out, path)
    torch.load(path, weights_only=True)  # must not raise
    target = MobileFormer('26m', out_indices=(4, ), init_cfg=dict(
        type='Pretrained', checkpoint=str(path), prefix='backbone.'))
    target.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key


def test_extract_backbone_wrong_prefix():
    with pytest.raises(KeyError, match="no key starts with 'encoder.'"):
        extract_backbone({'state_dict': {'backbone.w': torch.ones(1)}}, prefix='encoder.')


def test_missing_file_names_path():
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        load_local_checkpoint('/nowhere.pth')


def test_pretrained_mismatch_raises_one_clear_error(tmp_path):
    source = MobileFormer('26m', out_indices=(4, ))
    path = tmp_path / 'b.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in source.state_dict().items()}},
               path)
    wrong_arch = MobileFormer('52m', init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                                   prefix='backbone.'))
    with pytest.raises(KeyError, match=r"arch='52m'.*shape mismatch \['features"):
        wrong_arch.init_weights()
    wrong_prefix = MobileFormer('26m', init_cfg=dict(type='Pretrained', checkpoint=str(path),
                                                     prefix='encoder.'))
    with pytest.raises(KeyError, match=r"missing \['features.*unexpected \[\] \(0\)"):
        wrong_prefix.init_weights()
    no_path = MobileFormer('26m', init_cfg=dict(type='Pretrained', checkpoint='',
                                                prefix='backbone.'))
    with pytest.raises(ValueError, match='init_cfg.checkpoint=PATH'):
        no_path.init_weights()


def test_extract_backbone_cli(tmp_path):
    from .test_tools.helpers import load_tool
    source = MobileFormer('26m', out_indices=(4, ))
    src = tmp_path / 'train.pth'
    torch.save({'meta': {'iter': 5}, 'state_dict': {
        **{f'backbone.{k}': v for k, v in source.state_dict().items()},
        'head.w': torch.ones(1)}}, src)
    dst = tmp_path / 'out' / 'backbone.pth'
    load_tool('model_converters/extract_backbone.py').main([str(src), str(dst)])
    out = torch.load(dst, weights_only=True)
    assert out['meta']['iter'] == 5 and 'head.w' not in out['state_dict']
    with pytest.raises(SystemExit, match="no key starts with 'enc.'"):
        load_tool('model_converters/extract_backbone.py').main([str(src), str(dst),
                                                                 '--prefix', 'enc.'])

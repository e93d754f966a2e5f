import os.path as osp
import sys

import pytest
import torch

from .helpers import load_tool, logged_losses, run, tiny_config, write_images


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return write_images(str(tmp_path_factory.mktemp('images')))


def test_resume_continues_exactly(tmp_path, data_root):
    train = load_tool('train.py')
    full_dir, part_dir = str(tmp_path / 'full'), str(tmp_path / 'part')
    train.main([tiny_config(tmp_path, data_root, 6, name='full'), '--work-dir', full_dir])
    train.main([tiny_config(tmp_path, data_root, 3, name='part'), '--work-dir', part_dir])
    assert osp.isfile(osp.join(part_dir, 'iter_3.pth'))
    train.main([tiny_config(tmp_path, data_root, 6, ckpt_interval=3, name='part'),
                '--work-dir', part_dir, '--resume', osp.join(part_dir, 'iter_3.pth')])
    full, resumed = logged_losses(full_dir), logged_losses(part_dir)
    assert sorted(full) == [1, 2, 3, 4, 5, 6]
    assert sorted(resumed) == [1, 2, 3, 4, 5, 6]
    for it in (4, 5, 6):
        assert resumed[it] == pytest.approx(full[it], abs=1e-5), (it, full, resumed)
    ckpt = torch.load(osp.join(part_dir, 'iter_6.pth'), weights_only=False)
    assert ckpt['meta']['iter'] == 6
    final_full = torch.load(osp.join(full_dir, 'iter_6.pth'), weights_only=False)
    for key, value in final_full['state_dict'].items():
        assert torch.allclose(ckpt['state_dict'][key].float(), value.float(), atol=1e-5), key


def test_train_script_writes_checkpoint_and_picture(tmp_path, data_root):
    work_dir = str(tmp_path / 'work')
    run([sys.executable, 'tools/train.py', tiny_config(tmp_path, data_root, 2), '--work-dir',
         work_dir])
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    assert osp.isfile(osp.join(work_dir, 'vis', 'iter_000001.png'))


def test_dist_train_two_gloo_processes(tmp_path, data_root):
    work_dir = str(tmp_path / 'dist')
    proc = run(['bash', 'tools/dist_train.sh', tiny_config(tmp_path, data_root, 2), '2',
                '--work-dir', work_dir])
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log and 'GPU number: 2' in log, log[-3000:]


def test_missing_data_root_names_path_and_layout(tmp_path):
    train = load_tool('train.py')
    with pytest.raises(FileNotFoundError, match='does not exist') as info:
        train.main([tiny_config(tmp_path, str(tmp_path / 'nowhere'), 1)])
    assert 'nowhere' in str(info.value) and '<prefix>' in str(info.value)


def test_amp_refused_without_cuda(tmp_path, data_root):
    if torch.cuda.is_available():
        pytest.skip('CUDA present')
    train = load_tool('train.py')
    with pytest.raises(SystemExit, match='--amp needs a CUDA device'):
        train.main([tiny_config(tmp_path, data_root, 1), '--amp'])


@pytest.mark.parametrize('config', ['resnet50_in1k.py', 'convnext-tiny_in1k.py'])
def test_qbheat_cnn_configs_train_a_few_iterations(tmp_path, data_root, config):
    """The ImageNet QB-Heat configs of mmpretrain's ResNet-50 and ConvNeXt-T, on tiny images
    (128 px: a 2x2 visible map at stride 32), 2 iterations on one CPU process."""
    base = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
                    'qbheat', config)
    cfg = tmp_path / 'cnn.py'
    cfg.write_text(f'''
_base_ = {base!r}
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(
    _delete_=True, type='CustomDataset', data_root={data_root!r}, data_prefix='train',
    with_label=False, pipeline=[dict(type='LoadImageFromFile'),
                                dict(type='Resize', scale=(128, 128), backend='pillow'),
                                dict(type='PackInputs')]))
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=2)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=2))
custom_hooks = [dict(type='InvalidLossStopHook')]
log_processor = dict(by_epoch=False, window_size=1)
''')
    work_dir = str(tmp_path / 'work')
    load_tool('train.py').main([str(cfg), '--work-dir', work_dir])
    losses = logged_losses(work_dir)
    assert sorted(losses) == [1, 2] and all(0 < v < 10 for v in losses.values())
    state = torch.load(osp.join(work_dir, 'iter_2.pth'), weights_only=False)['state_dict']
    assert state['neck.A'].shape == ((2048, 2048) if 'resnet' in config else (768, 768))

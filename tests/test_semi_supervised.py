"""LEWEL's semi-supervised fine-tuning protocols (1 % / 10 % of the ImageNet labels): the
subset tool reads the three community formats, the configs fine-tune the whole ResNet-50 with
the classifier at its own learning rate, and a missing subset file is one clear error."""
import os.path as osp
import sys

import pytest
import torch

from .conftest import REPO, shared_data
from .test_tools.helpers import load_tool, logged_losses, run

SEMI = {1: 'configs/lewel/benchmarks/resnet50_semi-1pct_8xb32-steplr-50e_in1k.py',
        10: 'configs/lewel/benchmarks/resnet50_semi-10pct_8xb32-steplr-50e_in1k.py'}


def test_subset_tool_reads_lewel_mmpretrain_and_simclr_lists(tmp_path):
    data = shared_data('imagenette-mini')
    tool = load_tool('misc/make_semi_subset.py')
    rows = [line.split() for line in open(osp.join(data, 'meta', 'train.txt'))]
    rows = [(p, int(lab)) for p, lab in rows if '_val_' not in p][:12]
    lewel = tmp_path / 'lewel.ext'
    lewel.write_text(''.join(f'{lab} {p}\n' for p, lab in rows))
    tool.main([str(lewel), str(tmp_path / 'a.txt'), '--data-root', data])
    expected = ''.join(f'{p} {lab}\n' for p, lab in rows)
    assert (tmp_path / 'a.txt').read_text() == expected
    mine = tmp_path / 'mine.txt'
    mine.write_text(expected)
    tool.main([str(mine), str(tmp_path / 'b.txt')])
    assert (tmp_path / 'b.txt').read_text() == expected
    # SimCLR's bare names: labels from the sorted class folders (imagenette-mini's 10 wnids)
    simclr = tmp_path / 'simclr.txt'
    simclr.write_text(''.join(f'{osp.basename(p)}\n' for p, _ in rows))
    tool.main([str(simclr), str(tmp_path / 'c.txt'), '--data-root', data])
    assert (tmp_path / 'c.txt').read_text() == expected
    with pytest.raises(SystemExit, match='not under'):
        bad = tmp_path / 'bad.txt'
        bad.write_text('3 n01440764/nope.JPEG\n')
        tool.main([str(bad), str(tmp_path / 'd.txt'), '--data-root', data])


@pytest.mark.parametrize('percent', [1, 10])
def test_semi_configs_fine_tune_the_whole_backbone(tmp_path, percent):
    data = shared_data('imagenette-mini')
    subset = tmp_path / 'subset.txt'
    rows = [line for line in open(osp.join(data, 'meta', 'train.txt')) if '_val_' not in line]
    subset.write_text(''.join(rows[::10]))
    cfg = tmp_path / 'semi.py'
    cfg.write_text(f'''
_base_ = {osp.join(REPO, SEMI[percent])!r}
model = dict(backbone=dict(init_cfg=None), head=dict(num_classes=10))
data_preprocessor = dict(num_classes=10)
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root={data!r}, ann_file={str(subset)!r}))
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=2)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=1))
log_processor = dict(by_epoch=False, window_size=1)
''')
    work = str(tmp_path / 'work')
    train = load_tool('train.py')
    train.main([str(cfg), '--work-dir', work, '--no-validate',
                '--cfg-options', 'train_dataloader.dataset.pipeline.1.scale=64'])
    assert sorted(logged_losses(work)) == [1, 2]
    one = torch.load(osp.join(work, 'iter_1.pth'), weights_only=False)
    two = torch.load(osp.join(work, 'iter_2.pth'), weights_only=False)
    lrs = sorted({g['lr'] for g in two['optimizer']['param_groups']})
    backbone_lr, head_lr = (1e-4, 1.0) if percent == 1 else (0.01, 0.1)
    assert lrs == pytest.approx([backbone_lr, head_lr])
    # fine-tuning, not a frozen probe: backbone weights and BN statistics change
    for key in ('backbone.layer4.2.conv3.weight', 'backbone.conv1.weight',
                'backbone.bn1.running_mean', 'head.fc.weight'):
        assert not torch.equal(one['state_dict'][key], two['state_dict'][key]), key


def test_missing_subset_file_is_one_clear_error(tmp_path):
    data = shared_data('imagenette-mini')
    out = run([sys.executable, 'tools/train.py', SEMI[1], '--work-dir', str(tmp_path / 'w'),
               '--cfg-options', f'train_dataloader.dataset.data_root={data}',
               f'val_dataloader.dataset.data_root={data}'], check=False)
    assert out.returncode != 0 and 'Traceback' not in out.stderr
    assert 'meta/train_1percent.txt' in out.stderr and 'make_semi_subset.py' in out.stderr
    assert 'train_dataloader.dataset.ann_file=' in out.stderr

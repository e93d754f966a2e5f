"""tools/benchmarks/report_card.py: every arch's protocol set as a dry run (configs written with
the backbone filled in, commands printed), a Mobile-Former report card run end to end on the
tiny sets (imagenette-mini, coco128, a coco128-derived semantic set), and a protocol whose data
is missing skipped with the reason."""
import json
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

from qbheat_mm.datasets.coco_semantic import coco_to_semantic
from qbheat_mm.evaluation.report_card import PROTOCOLS, REPO, select

from ..conftest import shared_data
from .helpers import run

TOOL = 'tools/benchmarks/report_card.py'


def pretraining_checkpoint(path, backbone: torch.nn.Module):
    """A training checkpoint: backbone, a neck and the runner's meta."""
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state['neck.proj.weight'] = torch.ones(2, 2)
    torch.save({'meta': {'iter': 10}, 'state_dict': state}, path)
    return str(path)


@pytest.mark.parametrize('arch', sorted(PROTOCOLS))
def test_dry_run_writes_every_config_and_checks_the_data(tmp_path, arch):
    """A dry run writes every protocol's config with the backbone filled in, checks the data
    folders, prints the commands of the rows that would run and no command for the rows it
    would skip (their status names the missing data and its flag, uncut)."""
    data = {'imagenet': shared_data('imagenette-mini'), 'coco': shared_data('coco128')}
    ckpt = tmp_path / 'backbone.pth'
    ckpt.write_bytes(b'')                   # a dry run reads nothing
    work = tmp_path / 'card'
    proc = run([sys.executable, TOOL, str(ckpt), '--arch', arch, '--gpus', '8', '--dry-run',
                '--work-dir', str(work), '--imagenet-data', data['imagenet'], '--coco-data',
                data['coco']])
    card = json.loads((work / 'report_card.json').read_text())
    assert [r['protocol'] for r in card['rows']] == [p.name for p in PROTOCOLS[arch]]
    ready = 0
    for protocol, row in zip(PROTOCOLS[arch], card['rows']):
        assert osp.isfile(osp.join(REPO, protocol.config))
        config = osp.join(row['work_dir'], 'config.py')
        cfg = Config.fromfile(config)
        assert cfg.model.backbone.init_cfg == dict(
            type='Pretrained', checkpoint=str(work / 'backbone.pth'), prefix='backbone.')
        assert row['config'].startswith(f'{config} (from {protocol.config}')
        train = f'tools/dist_train.sh {config} 8 --work-dir'
        if row['status'] == 'dry run':
            ready += 1
            assert protocol.data in data and train in proc.stdout
            assert (f'tools/dist_test.sh {config} $(cat {row["work_dir"]}/last_checkpoint) 8'
                    in proc.stdout)
        else:   # no such data (or the folder lacks a file it needs, e.g. a 1 % split list)
            flag = {'imagenet': '--imagenet-data', 'coco': '--coco-data', 'seg': '--seg-data',
                    'inat': '--inat-data'}[protocol.data]
            assert row['status'].startswith('skipped: no data') and train not in proc.stdout
            assert row['status'].endswith(f'pass {flag} DIR')
            assert 'expects:)' not in row['status']          # the layout is not cut off
    assert ready or arch == 'vit-small'
    assert 'extract_backbone.py' in proc.stdout
    assert f'dry run: {ready} of {len(card["rows"])} rows would run' in proc.stdout


def test_classification_head_follows_the_data_and_the_adaptation_is_named(tmp_path):
    data = shared_data('imagenette-mini')
    ckpt = tmp_path / 'backbone.pth'
    ckpt.write_bytes(b'')
    work = tmp_path / 'card'
    run([sys.executable, TOOL, str(ckpt), '--arch', 'mobileformer-26m', '--dry-run',
         '--protocols', 'linear', 'transformer', '--work-dir', str(work), '--imagenet-data',
         data])
    card = json.loads((work / 'report_card.json').read_text())
    for row in card['rows']:
        cfg = Config.fromfile(osp.join(row['work_dir'], 'config.py'))
        assert cfg.model.head.num_classes == 10                  # imagenette-mini's classes
        assert 'adapted to MF-26M' in row['config'] and 'arch 26m' in row['config']
    assert 'adapted to MF-26M' in (work / 'report_card.md').read_text()


def test_protocol_selection():
    assert [p.name for p in select('resnet50', ['semi'])] == ['semi-supervised 1%',
                                                               'semi-supervised 10%']
    with pytest.raises(ValueError, match='they are'):
        select('vit-small', ['linear'])


def test_mobileformer_report_card_end_to_end(tmp_path):
    """Every protocol of MF-26M for one iteration through dist_train.sh / dist_test.sh, the
    metrics of all five collected into the table."""
    nette, coco = shared_data('imagenette-mini'), shared_data('coco128')
    seg = str(tmp_path / 'seg')
    coco_to_semantic(osp.join(coco, 'annotations', 'instances_train2017.json'),
                     osp.join(coco, 'train2017'), seg, val_count=2, limit=6)
    from qbheat_mm.models.backbones import MobileFormer
    torch.manual_seed(0)
    backbone = MobileFormer('26m')
    ckpt = pretraining_checkpoint(tmp_path / 'iter_10.pth', backbone)
    work = tmp_path / 'card'
    proc = run([sys.executable, TOOL, ckpt, '--arch', 'mobileformer-26m', '--work-dir',
                str(work), '--imagenet-data', nette, '--coco-data', coco, '--seg-data', seg,
                '--smoke-iters', '1', '--smoke-test-images', '2'], timeout=1800)
    card = json.loads((work / 'report_card.json').read_text())
    assert [r['status'] for r in card['rows']] == ['ok'] * 5, proc.stdout[-3000:]
    metrics = [r['metrics'] for r in card['rows']]
    assert 0 <= metrics[0]['accuracy/top1'] <= 100 and 'accuracy/top1' in metrics[1]
    assert 'coco/bbox_mAP' in metrics[2] and 'coco/bbox_mAP_50' in metrics[2]
    assert all(0 <= m['mIoU'] <= 100 for m in metrics[3:])
    table = (work / 'report_card.md').read_text()
    assert table.count('| ok |') == 5 and 'smoke run' in table
    extracted = torch.load(work / 'backbone.pth', weights_only=True)['state_dict']
    assert set(extracted) == {f'backbone.{k}' for k in backbone.state_dict()}


def test_missing_data_skips_the_protocol_with_the_fix(tmp_path):
    from qbheat_mm.models.backbones import MobileFormer
    ckpt = pretraining_checkpoint(tmp_path / 'ckpt.pth', MobileFormer('26m'))
    work = tmp_path / 'card'
    proc = run([sys.executable, TOOL, ckpt, '--arch', 'mobileformer-26m', '--protocols',
                'frozen_seg', '--work-dir', str(work)], check=False)
    assert proc.returncode == 1
    row, = json.loads((work / 'report_card.json').read_text())['rows']
    assert row['status'].startswith('skipped: no data') and '--seg-data DIR' in row['status']
    assert not osp.exists(osp.join(row['work_dir'], 'train.log'))

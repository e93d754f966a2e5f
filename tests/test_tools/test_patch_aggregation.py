import json
import os.path as osp

import pytest

from .helpers import load_tool, write_images

CONFIG = '''
default_scope = 'mmpretrain'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)
data_preprocessor = dict(type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], to_rgb=True)
model = dict(
    type='BagSSL',
    backbone=dict(type='ResNet', depth=18),
    neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=32, out_channels=32,
              num_layers=3, with_last_bn=False, norm_cfg=dict(type='BN1d')),
    head=dict(type='VICRegHead'))
'''


def test_patch_aggregation_writes_table_json_and_png(tmp_path):
    cfg = tmp_path / 'bag.py'
    cfg.write_text(CONFIG)
    data = write_images(str(tmp_path / 'images'), count=3, size=96)
    out = tmp_path / 'out'
    tool = load_tool('analysis_tools/patch_aggregation.py')
    results = tool.main([str(cfg), 'none', data, '--label', 'r18', '--patch-sizes', '32', '64',
                         '96', '--num-patches', '1', '2', '4', '--image-size', '96',
                         '--out-dir', str(out), '--extra', str(cfg), 'none', 'again'])
    assert set(results) == {'r18', 'again'}
    # a patch as large as the image is the image: cosine exactly 1 for every m
    for m in (1, 2, 4):
        assert results['r18'][96][m][0] == pytest.approx(1.0, abs=1e-5)
    assert -1 <= results['r18'][32][1][0] < 0.999
    table = (out / 'patch_aggregation.md').read_text()
    assert '| r18 | 32 px |' in table and 'm=4' in table
    assert json.loads((out / 'patch_aggregation.json').read_text())['r18']['64']
    assert osp.getsize(out / 'patch_aggregation.png') > 1000


def test_patch_aggregation_refuses_bad_input(tmp_path):
    tool = load_tool('analysis_tools/patch_aggregation.py')
    cfg = tmp_path / 'bag.py'
    cfg.write_text(CONFIG)
    with pytest.raises(SystemExit, match='not a folder'):
        tool.main([str(cfg), 'none', str(tmp_path / 'nowhere')])
    (tmp_path / 'empty').mkdir()
    with pytest.raises(SystemExit, match='no images'):
        tool.main([str(cfg), 'none', str(tmp_path / 'empty')])
    with pytest.raises(SystemExit, match='do not fit'):
        tool.main([str(cfg), 'none', str(tmp_path / 'empty'), '--patch-sizes', '300'])

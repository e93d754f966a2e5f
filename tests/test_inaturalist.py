"""GTSA's iNaturalist-2019 fine-tuning protocol on a tiny iNat-format set made from
imagenette-mini: the INaturalist dataset reads the official json layout (labels by category id
rank), and the config (mmpretrain's MAE fine-tuning recipe, ViT-S/16) trains."""
import glob
import json
import os.path as osp

import pytest

from .conftest import REPO, shared_data
from .test_tools.helpers import load_tool, logged_losses

CONFIG = osp.join(REPO, 'configs/gtsa/benchmarks/vit-small-p16_8xb128-coslr-300e_inat19.py')


def inat_folder(tmp_path, per_split=(12, 6)):
    """train2019.json / val2019.json over imagenette-mini images; category ids 100, 107, ...
    listed out of order, so labels must come from their rank."""
    data = shared_data('imagenette-mini')
    rows = [line.split() for line in open(osp.join(data, 'meta', 'train.txt'))]
    wnids = sorted({p.split('/')[0] for p, _ in rows})
    ids = {w: 100 + 7 * i for i, w in enumerate(wnids)}
    categories = [dict(id=ids[w], name=w) for w in reversed(wnids)]
    for split, (start, count) in (('train2019', (0, per_split[0])),
                                  ('val2019', (per_split[0], per_split[1]))):
        chosen = rows[start * 7:(start + count) * 7:7]
        images = [dict(id=i, file_name=osp.join(data, 'train', p)) for i, (p, _) in
                  enumerate(chosen)]
        annotations = [dict(id=i, image_id=i, category_id=ids[p.split('/')[0]])
                       for i, (p, _) in enumerate(chosen)]
        (tmp_path / f'{split}.json').write_text(json.dumps(
            dict(images=images, annotations=annotations, categories=categories)))
    return str(tmp_path), rows, wnids


def test_dataset_reads_the_json_layout(tmp_path):
    from qbheat_mm.datasets import INaturalist
    root, rows, wnids = inat_folder(tmp_path)
    dataset = INaturalist(data_root=root, ann_file='train2019.json', pipeline=[])
    assert len(dataset) == 12 and dataset.metainfo['classes'] == tuple(wnids)
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        assert info['gt_label'] == wnids.index(osp.basename(osp.dirname(info['img_path'])))
    (tmp_path / 'bad.json').write_text(json.dumps({'images': []}))
    with pytest.raises(ValueError, match="no 'annotations' list"):
        INaturalist(data_root=root, ann_file='bad.json', pipeline=[])


def test_inat19_config_trains(tmp_path):
    root, _, _ = inat_folder(tmp_path)
    cfg = tmp_path / 'inat.py'
    cfg.write_text(f'''
_base_ = {CONFIG!r}
num_classes = 10
data_preprocessor = dict(num_classes=10)
model = dict(backbone=dict(init_cfg=None), head=dict(num_classes=10))
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                        dataset=dict(data_root={root!r}))
val_dataloader = dict(batch_size=6, num_workers=0, persistent_workers=False,
                      dataset=dict(data_root={root!r}))
test_dataloader = val_dataloader
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=2, val_interval=2)
param_scheduler = []
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(by_epoch=False, interval=2))
log_processor = dict(by_epoch=False, window_size=1)
''')
    work = str(tmp_path / 'work')
    load_tool('train.py').main([str(cfg), '--work-dir', work])
    assert sorted(logged_losses(work)) == [1, 2]
    log = open(sorted(glob.glob(osp.join(work, '*', '*.log')))[0]).read()
    assert 'accuracy/top1' in log

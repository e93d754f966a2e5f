"""kNN evaluation of self-supervised models: the weighted vote, the metric under DDP (2 gloo
processes = 1 process), the validation loop inside a pretraining run (knn/top1 logged)."""
import glob
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample

from qbheat_mm.evaluation import KNNAccuracy, weighted_knn

from ..conftest import REPO, shared_data
from ..distributed import run_in_processes
from ..test_tools.helpers import load_tool, run


def test_weighted_knn_votes_on_hand_made_points():
    # memory: three points of class 0 near (1, 0), two of class 1 near (0, 1)
    memory = torch.tensor([[1., 0.], [1., .1], [1., -.1], [0., 1.], [.1, 1.]])
    labels = torch.tensor([0, 0, 0, 1, 1])
    query = torch.tensor([[.6, .8]])      # closer to class 1, but fewer class-1 neighbours
    t = 0.1
    pred = weighted_knn(memory, labels, query, k=5, temperature=t, topk=(1, 2))
    sims = torch.nn.functional.normalize(memory, dim=1) @ torch.tensor([.6, .8])
    votes = [float((sims[labels == c] / t).exp().sum()) for c in (0, 1)]
    assert votes[1] > votes[0] and pred.tolist() == [[1, 0]]
    # a hot temperature flattens the weights: three class-0 votes beat two class-1 votes
    assert weighted_knn(memory, labels, query, k=5, temperature=100., topk=(1, ))[0, 0] == 0
    # k = 1: the single nearest neighbour decides
    assert weighted_knn(memory, labels, torch.tensor([[1., 0.05]]), k=1, topk=(1, ))[0, 0] == 0


def samples(feats, labels, memory, start=0):
    out = []
    for i, (f, y) in enumerate(zip(feats, labels)):
        s = DataSample(metainfo=dict(sample_idx=start + i)).set_gt_label(int(y))
        s.set_field(f, 'knn_feat')
        s.set_field(memory, 'knn_memory')
        out.append(s)
    return out


def make_sets(seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(4, 8, generator=g) * 2
    my = torch.arange(23) % 4
    qy = torch.arange(13) % 4
    mx = centres[my] + torch.randn(23, 8, generator=g)
    qx = centres[qy] + torch.randn(13, 8, generator=g) * 4
    return mx, my, qx, qy


def score(rank=0, world=1):
    """Process the rank's share as mmengine's DefaultSampler (no shuffle) deals it: indices
    rank, rank + world, ..., padded by wrapping around to a multiple of world."""
    mx, my, qx, qy = make_sets()
    metric = KNNAccuracy(k=5, temperature=0.1)
    for x, y, memory in ((mx, my, True), (qx, qy, False)):
        n = len(x)
        total = -(-n // world) * world
        idx = [i % n for i in range(total)][rank::world]
        batch = samples(x[idx], y[idx], memory)
        for s, i in zip(batch, idx):
            s.set_metainfo(dict(sample_idx=i))
        metric.process(None, batch)
    return metric.evaluate(len(qx))


def _score_worker(rank, world):
    return score(rank, world)


def test_knn_metric_under_two_gloo_processes_equals_one_process():
    one = score()
    assert set(one) == {'knn/top1', 'knn/top5'} and 0 < one['knn/top1'] < 100
    results = run_in_processes(_score_worker, 2)
    assert results[0] == one and results[1] == one


def test_missing_features_are_one_clear_error():
    metric = KNNAccuracy()
    with pytest.raises(ValueError, match='KNNValLoop'):
        metric.process(None, [DataSample().set_gt_label(0)])
    with pytest.raises(ValueError, match='k=0'):
        KNNAccuracy(k=0)


def knn_runner_cfg(data, work_dir):
    """The MF-26M QB-Heat demo model with the kNN monitor on imagenette-mini at 64 px, merged
    the way ``tools/train.py --knn-data`` merges it."""
    cfg = Config.fromfile(osp.join(REPO, 'configs/qbheat/mobileformer-26m_demo.py'))
    load_tool('train.py').add_knn_monitor(cfg, data, interval=1, size=64)
    for loader in (cfg.val_dataloader, cfg.val_cfg.memory_dataloader):
        loader.num_workers = 0
        loader.batch_size = 50
    cfg.merge_from_dict(dict(work_dir=work_dir, randomness=dict(seed=0), launcher='none',
                             train_dataloader=dict(dataset=dict(data_root=data))))
    return cfg


def _runner_worker(rank, world, data, work_dir):
    from mmengine.runner import Runner
    import qbheat_mm  # noqa: F401
    cfg = knn_runner_cfg(data, osp.join(work_dir, f'rank{rank}'))
    return Runner.from_cfg(cfg).val()


def test_knn_val_loop_two_processes_equal_one_process(tmp_path):
    data = shared_data('imagenette-mini')
    from mmengine.runner import Runner
    one = Runner.from_cfg(knn_runner_cfg(data, str(tmp_path / 'one'))).val()
    two = run_in_processes(_runner_worker, 2, data, str(tmp_path))
    assert 0 < one['knn/top1'] <= 100
    assert two[0] == pytest.approx(one, abs=1e-6) and two[1] == pytest.approx(one, abs=1e-6)


def test_pretraining_with_the_knn_monitor_logs_knn_top1(tmp_path):
    data = shared_data('imagenette-mini')
    work = str(tmp_path / 'work')
    run(['python', 'tools/train.py', 'configs/qbheat/mobileformer-26m_demo.py', '--work-dir',
         work, '--knn-data', data, '--knn-interval', '3', '--knn-size', '64', '--cfg-options',
         'train_cfg.max_iters=6', f'train_dataloader.dataset.data_root={data}',
         'train_dataloader.batch_size=8'])
    rows = []
    for path in glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')):
        with open(path) as f:
            rows += [r for r in map(json.loads, f) if 'knn/top1' in r]
    assert [r['step'] for r in rows] == [3, 6]
    assert all(0 <= r['knn/top1'] <= 100 and r['knn/top5'] >= r['knn/top1'] for r in rows)

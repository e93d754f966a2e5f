"""Seconds-long runs of the benchmark scripts (tiny sizes), so they cannot rot."""
import json
import os
import os.path as osp
import re
import sys

import pytest
import torch

from .conftest import REPO, shared_data
from .test_tools.helpers import run

ROW = re.compile(r'^\| (\S+) \|', re.M)


def test_pretrain_throughput_smoke(tmp_path):
    out = tmp_path / 'pt.md'
    proc = run([sys.executable, 'benchmarks/pretrain_throughput.py', '--reps', '1', '--steps',
                '1', '--batch', '2', '--size', '64', '--out', str(out)])
    text = out.read_text()
    assert {'qbheat', 'mocov2', 'full_mim', 'lewel', 'gtsa', 'bagssl', 'vicreg',
            'supervised'} <= set(ROW.findall(text))
    assert 'MiB' in text and text in proc.stdout
    assert (tmp_path / 'pt.png').stat().st_size > 1000


def test_pretrain_breakdown_smoke(tmp_path):
    out = tmp_path / 'bd.md'
    run([sys.executable, 'benchmarks/pretrain_breakdown.py', '--reps', '1', '--batch', '2',
         '--size', '64', '--out', str(out)])
    text = out.read_text()
    for part in ('visible quarter', 'full image', 'no grad', 'decoder', 'AdamW step (fused)'):
        assert part in text
    ratio = re.search(r'encoder cost ratio full / quarter[^|]*\| ([\d.]+)x', text)
    assert ratio and float(ratio.group(1)) > 0


def test_backbone_latency_smoke(tmp_path):
    out = tmp_path / 'lat.md'
    run([sys.executable, 'benchmarks/backbone_latency.py', '--models', 'MF-26M', 'ResNet-18',
         '--batch-sizes', '1', '--reps', '1', '--size', '64', '--train-batch', '2', '--out',
         str(out)])
    text = out.read_text()
    rows = [line for line in text.splitlines() if line.startswith('| MF-26M')]
    assert len(rows) == 2 and all('3.23M' in r for r in rows)  # 3,232,788 parameters
    assert rows[1].startswith('| MF-26M (training form) |')
    assert 'train fwd+bwd b=2' in text and len(rows[0].split('|')) == 7


def test_ssl_study_smoke_resumes_and_draws(tmp_path):
    """Every method for a fraction of a second; a rerun with one more seed trains only the
    new runs (the earlier records are skipped), and the table averages both seeds."""
    data = shared_data('imagenette-mini')
    out, records = tmp_path / 'study.md', tmp_path / 'study.jsonl'
    args = [sys.executable, 'benchmarks/ssl_study.py', '--data', data, '--steps', '2',
            '--size', '64', '--batch', '8', '--bag', '4', '--probe-epochs', '1', '--records',
            str(records), '--out', str(out), '--save-backbones', str(tmp_path / 'bb')]
    first = run(args + ['--seeds', '0'])
    assert 'ETA' in first.stderr
    text = out.read_text()
    methods = {'qbheat', 'lewel', 'gtsa', 'bagssl', 'vicreg', 'mocov2', 'none', 'supervised'}
    assert methods <= set(ROW.findall(text))
    for probe in ('kNN top-1', 'bag-of-patches kNN top-1', 'linear top-1',
                  'transformer-probe top-1'):
        assert probe in text
    assert len(records.read_text().splitlines()) == 8
    assert (tmp_path / 'study.png').stat().st_size > 1000
    assert (tmp_path / 'bb' / 'gtsa_seed0.pth').is_file()
    second = run(args + ['--seeds', '0', '1', '--methods', 'qbheat', 'none'])
    assert second.stderr.count('skipped (done before)') == 2
    assert len(records.read_text().splitlines()) == 10
    assert re.search(r'\| qbheat \| 2 \|', out.read_text())
    # other settings in the same records file are refused instead of mixed
    bad = run(args[:5] + ['3'] + args[6:] + ['--seeds', '0'], check=False)
    assert bad.returncode != 0 and 'other settings' in bad.stderr


def test_ssl_study_learning_curves_smoke(tmp_path):
    """kNN at evenly spaced points of each run's budget (here 6 steps, so the marks fall on
    steps 2 and 4 whatever the machine's load): every record holds its curve (increasing
    CPU seconds, the steps of the marks, the last point the final kNN), the epochs reached,
    and the curves picture is drawn."""
    data = shared_data('imagenette-mini')
    out, records = tmp_path / 'curves.md', tmp_path / 'curves.jsonl'
    run([sys.executable, 'benchmarks/ssl_study.py', '--data', data, '--steps', '6',
         '--curve-points', '3', '--size', '64', '--batch', '8', '--bag', '4',
         '--probe-epochs', '1', '--methods', 'qbheat', 'none', '--seeds', '0', '--records',
         str(records), '--out', str(out)])
    rows = {r['method']: r for r in map(json.loads, records.read_text().splitlines())}
    curve = rows['qbheat']['curve']
    # two marks during the run and the end of the run
    assert [p[1] for p in curve] == [2, 4, 6] and rows['qbheat']['steps'] == 6
    assert curve[-1][2] == rows['qbheat']['knn']
    assert 0 < curve[0][0] < curve[1][0] < curve[2][0]
    assert rows['none']['curve'] == [] and rows['qbheat']['epochs'] > 0
    assert (tmp_path / 'curves_curves.png').stat().st_size > 1000
    assert 'Epochs reached in the budget: qbheat' in out.read_text()
    # --report-only redraws from the records without training anything
    out.unlink()
    again = run([sys.executable, 'benchmarks/ssl_study.py', '--data', data, '--steps', '6',
                 '--curve-points', '3', '--size', '64', '--batch', '8', '--bag', '4',
                 '--probe-epochs', '1', '--methods', 'qbheat', 'none', '--seeds', '0',
                 '--records', str(records), '--out', str(out), '--report-only'])
    assert 'qbheat seed 0: step' not in again.stdout and 'ETA' not in again.stderr
    assert '| qbheat | 1 |' in out.read_text()
    assert len(records.read_text().splitlines()) == 2


def test_qbheat_ablations_smoke(tmp_path):
    data = shared_data('imagenette-mini')
    out = tmp_path / 'abl.md'
    configs = ['configs/qbheat/ablations/ablation_mode-block_norm-none.py',
               'configs/qbheat/ablations/ablation_mode-quadrant_norm-finola.py',
               'configs/qbheat/ablations/ablation_predictor-mlp.py']
    proc = run([sys.executable, 'benchmarks/qbheat_ablations.py', '--configs', *configs,
                '--data', data, '--steps', '2', '--size', '128', '--batch', '4',
                '--seeds', '0', '1', '--records', str(tmp_path / 'abl.jsonl'), '--out',
                str(out)])
    assert 'ETA' in proc.stderr
    text = out.read_text()
    rows = {r: line for line in text.splitlines() for r in ROW.findall(line)}
    assert {'mode-block_norm-none', 'mode-quadrant_norm-finola', 'predictor-mlp'} <= set(rows)
    assert '| 2 |' in rows['predictor-mlp'] and ' / ' in rows['predictor-mlp']
    held_out = float(rows['mode-block_norm-none'].split('|')[4].split('±')[0])
    assert 0 < held_out < 10
    assert (tmp_path / 'abl.png').stat().st_size > 1000


def test_pretrain_throughput_resnet50_smoke(tmp_path):
    out = tmp_path / 'pt_r50.md'
    run([sys.executable, 'benchmarks/pretrain_throughput.py', '--arch', 'resnet50', '--reps', '1',
         '--steps', '1', '--batch', '2', '--size', '64', '--no-memory', '--out', str(out)])
    assert {'qbheat', 'spark', 'mocov2', 'full_mim'} == set(ROW.findall(out.read_text())) - {
        'method'}


def test_data_throughput_smoke(tmp_path):
    """Every method's real train pipeline on 1 image of each set; the shares add up to 100
    and the cores-per-GPU column divides the given step rate by the per-core rate."""
    shared_data('coco128')
    shared_data('imagenette')
    out = tmp_path / 'dt.md'
    run([sys.executable, 'benchmarks/data_throughput.py', '--images', '1', '--reps', '1',
         '--step-rate', 'qbheat=1000', '--out', str(out)])
    rows = [line.split(' | ') for line in out.read_text().splitlines()
            if line.startswith('| ') and not line.startswith('| method')]
    assert {r[0][2:] for r in rows} == {'qbheat', 'mocov2', 'lewel', 'bagssl', 'vicreg',
                                        'gtsa', 'supervised', 'qbheat+draft',
                                        'supervised+draft'} and len(rows) == 18
    for row in rows:
        shares = [int(v) for v in row[3].split(' / ')]
        assert 98 <= sum(shares) <= 102 and shares[0] > 0        # every pipeline decodes
        cores = row[4].rstrip(' |')
        if row[0] in ('| qbheat', '| qbheat+draft'):
            assert float(cores) == pytest.approx(1000 / float(row[2]), rel=0.03)   # rate rounded
        else:
            assert cores == '—'


def test_frozen_detector_step_smoke(tmp_path):
    out = tmp_path / 'fd.md'
    run([sys.executable, 'benchmarks/frozen_detector_step.py', '--size', '64', '--batch', '1',
         '--reps', '1', '--out', str(out)])
    rows = [line.split(' | ') for line in out.read_text().splitlines()
            if line.startswith('| before') or line.startswith('| after')]
    before, after = rows
    # before: the output norms still train (lr 0) and carry SGD momentum; after: nothing
    assert int(before[3].replace(',', '')) > 0 and int(before[4].rstrip(' |').replace(',', '')) > 0
    assert after[3] == '0' and after[4].rstrip(' |') == '0'


def test_heat_diagnostics_cost_reads_gnu_time():
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from heat_diagnostics_cost import wall_seconds
    assert wall_seconds('\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50\n') == 62.5
    assert wall_seconds('Elapsed (wall clock) time (h:mm:ss or m:ss): 1:00:03\n') == 3603.


@pytest.mark.skipif(not osp.isfile('/proc/self/statm'), reason='needs Linux /proc')
@pytest.mark.parametrize('tuned', [False, True])
def test_keep_freed_memory_stops_the_heap_giving_pages_back(tuned):
    """A freed 20 MiB tensor goes back to the kernel by default (the resident size drops by
    it) and stays in the process once ``keep_freed_memory`` has run: the probes no longer
    pay a page fault per page for every batch."""
    script = (
        "import os, sys, torch\n"
        f"sys.path.insert(0, {osp.join(REPO, 'benchmarks')!r})\n"
        "from study import keep_freed_memory\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
        f"if {tuned}:\n"
        "    assert keep_freed_memory()\n"
        "x = torch.ones(20 * 2**20 // 4)\n"
        "before = rss()\n"
        "del x\n"
        "print('dropped', (before - rss()) / 2**20)\n")
    out = run([sys.executable, '-c', script], timeout=120).stdout
    dropped = float(re.search(r'dropped (\S+)', out).group(1))
    if tuned:
        assert dropped < 1
    else:
        assert dropped > 19


def test_ssl_study_unit_resumes_after_a_kill_at_its_last_curve_point(tmp_path):
    """kill -9 after the first curve point of a unit: the rerun resumes from that point
    (model, optimiser, curve) instead of from step 0, and the partial state is removed once
    the unit is recorded."""
    import signal
    import subprocess
    data = shared_data('imagenette-mini')
    records = tmp_path / 'r.jsonl'
    args = [sys.executable, 'benchmarks/ssl_study.py', '--data', data, '--steps', '30',
            '--curve-points', '3', '--size', '64', '--batch', '8', '--bag', '4',
            '--probe-epochs', '1', '--methods', 'qbheat', '--seeds', '0', '--records',
            str(records), '--out', str(tmp_path / 'r.md')]
    partial = tmp_path / 'r_partial' / 'qbheat_seed0.pth'
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=dict(os.environ, PYTHONPATH=REPO))
    first = None
    for line in proc.stdout:
        if 'kNN top-1' in line and 'after' in line:
            first = line
        if first and partial.exists():
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert first and partial.exists() and not records.exists()
    saved = torch.load(partial, weights_only=False)
    at_step = saved['start'][0]
    out = run(args)
    assert f'resuming from {partial} at step {at_step}' in out.stdout
    row = json.loads(records.read_text())
    assert row['curve'][0] == saved['curve'][0] and at_step == 10 and row['steps'] == 30
    assert not partial.exists()


def test_detection_unit_time_counts_a_resumed_unit_once(tmp_path):
    """A detector unit's training time comes from mmengine's log, so a unit resumed after a
    kill reports all of its epochs, and an epoch trained twice counts with its last run."""
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from frozen_detection_study import logged_train_seconds
    line = ('12/06 22:55:20 - mmengine - INFO - Epoch(train)  [{}][{:>3}/140]  lr: 5.0e-03  '
            'eta: 0:42:04  time: {}  data_time: 0.02  loss: 1.8\n')
    log = tmp_path / 'unit.log'
    log.write_text(line.format(1, 50, 1.0) + line.format(1, 100, 2.0)
                   + line.format(2, 50, 9.0)                        # killed during epoch 2
                   + 'resuming from epoch_1.pth\n'
                   + line.format(2, 50, 3.0) + line.format(2, 100, 5.0))
    assert logged_train_seconds(str(log)) == pytest.approx(140 * 1.5 + 140 * 4.0)
    log.write_text('no training here\n')
    assert logged_train_seconds(str(log)) is None


def test_frozen_detection_study_smoke(tmp_path):
    """The frozen-detection study on a few voc2007-small images and one epoch: train and test
    through tools/train.py / test.py, one record with the COCO metric's AP columns and the
    backbone's SHA-256, the table and the detections picture; a rerun skips the unit, and a
    backbone whose SHA-256 differs from the study's record is refused."""
    import hashlib
    voc = shared_data('voc2007-small')
    from qbheat_mm.models import MobileFormer
    backbone = MobileFormer(arch='26m', out_indices=(1, 2, 3, 4))
    backbone.init_weights()
    path = tmp_path / 'rand.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in backbone.state_dict().items()}},
               path)
    records, out = tmp_path / 'det.jsonl', tmp_path / 'det.md'
    args = [sys.executable, 'benchmarks/frozen_detection_study.py', '--smoke', '--data', voc,
            '--backbones', f'rand_seed0={path}', '--study', str(tmp_path / 'none.jsonl'),
            '--records', str(records), '--out', str(out), '--work-dir', str(tmp_path / 'wd'),
            '--picture-images', '2']
    first = run(args)
    row = json.loads(records.read_text())
    assert row['backbone_sha256'] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {'AP', 'AP50', 'AP75', 'AP_S', 'AP_M', 'AP_L'} <= set(row)
    assert '| rand | 1 |' in out.read_text() and 'ETA' in first.stderr
    assert (tmp_path / 'det.png').stat().st_size > 5000
    # the picture's detections are recorded: --report-only redraws it without the detector
    kept, = [json.loads(line) for line in (tmp_path / 'det_picture.jsonl').read_text()
             .splitlines()]
    assert kept['unit'] == row['unit'] and len(kept['boxes']) == 2
    assert all(b[5] >= 0.05 for boxes in kept['boxes'] for b in boxes)
    checkpoint = osp.join(REPO, row['checkpoint'])
    os.rename(checkpoint, checkpoint + '.away')
    (tmp_path / 'det.png').unlink()
    run(args + ['--report-only'])
    assert (tmp_path / 'det.png').stat().st_size > 5000
    os.rename(checkpoint + '.away', checkpoint)
    again = run(args + ['--no-picture'])
    assert 'skipped (done before)' in again.stderr
    study = tmp_path / 'study.jsonl'
    study.write_text(json.dumps(dict(phase='full', method='qbheat', seed=0, backbone=str(path),
                                     backbone_sha256='0' * 64)) + '\n')
    bad_args = [str(study) if a == str(tmp_path / 'none.jsonl') else a for a in args]
    bad = run(bad_args + ['--only', 'qbheat_seed0'], check=False)
    assert bad.returncode != 0 and 'not the backbone it measured' in bad.stderr


def test_fixed_work_study_smoke_calibrates_searches_resumes_and_probes(tmp_path):
    """--preset imagenette-256's machinery on imagenette-mini at 64 px: the calibration gives
    every method B / (its cost per step) steps, the lr search records one unit per factor, a
    full unit killed after a curve point resumes from it, killed again during its probes
    resumes with its training done, and ends at exactly its calibrated steps, with four
    probes, its backbone's SHA-256 and a curve, then the token probe from the kept backbone in
    its own records (made again, the same, by --phase token-probe; refused for a backbone
    that is not the recorded one, or gone; a random-init one is built again, bitwise);
    --report-only redraws the table without training."""
    import hashlib
    import signal
    import subprocess
    data = shared_data('imagenette-mini')
    paths = ['--records', str(tmp_path / 'r.jsonl'), '--calibration', str(tmp_path / 'c.json'),
             '--out', str(tmp_path / 'o.md'), '--work-dir', str(tmp_path / 'wd')]
    base = [sys.executable, 'benchmarks/ssl_study.py', '--preset', 'imagenette-256', '--data',
            data, '--size', '64', '--batch', '4', '--epochs', '0.2', '--bag', '4',
            '--probe-epochs', '1', '--probe-copies', '2', '--token-probe-epochs', '1',
            '--curve-points', '3', '--calib-warmup', '1', '--calib-steps', '2', *paths]
    run(base + ['--phase', 'calibrate', '--methods', 'qbheat', 'mocov2'])
    calib = json.loads((tmp_path / 'c.json').read_text())
    budget = calib['budget_cpu_s']
    assert calib['methods']['qbheat']['steps'] == 20          # 0.2 epochs of 400 images / 4
    for c in calib['methods'].values():
        # the same compute: steps x cost per step = B (the file rounds B and the costs)
        assert abs(c['steps'] * c['cpu_s_per_step'] - budget) <= c['cpu_s_per_step'] + 0.1
    run(base + ['--phase', 'search', '--methods', 'qbheat'])
    rows = [json.loads(line) for line in (tmp_path / 'r.jsonl').read_text().splitlines()]
    # the grid, grown past an edge where the best factor lay, until the search is finished
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from fixed_work_study import search_todo
    from study import Records
    records = Records.__new__(Records)
    records.rows = rows
    assert {2., 8., 32.} <= {r['lr_mult'] for r in rows} and not search_todo(records, 'qbheat')
    assert all(r['steps'] == 5 and r['recipe']['optimizer'] == 'AdamW' for r in rows)
    # a full unit, killed once its first curve point is saved, then resumed
    partial = tmp_path / 'wd' / 'partial'
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen(base + ['--phase', 'full', '--methods', 'qbheat', '--seeds', '0'],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = __import__('time').time() + 600
    while not (partial.exists() and list(partial.glob('*.pth'))):
        assert __import__('time').time() < deadline and proc.poll() is None
        __import__('time').sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = torch.load(next(partial.glob('*.pth')), weights_only=False)
    # resumed, then killed again during the probes: the training is kept whole
    proc = subprocess.Popen(base + ['--phase', 'full', '--methods', 'qbheat', '--seeds', '0'],
                            cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if ': kNN: ' in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert f'at step {saved["start"][0]}' in ''.join(lines) and ': kNN: ' in lines[-1]
    again = run(base + ['--phase', 'full', '--methods', 'qbheat', '--seeds', '0'])
    assert 'at step 20' in again.stdout and 'loss' not in again.stdout
    assert ': token probe (map + tokens, aug.): ' in again.stdout
    full = [json.loads(line) for line in (tmp_path / 'r.jsonl').read_text().splitlines()
            if json.loads(line)['phase'] == 'full'][0]
    assert full['steps'] == 20 and [p[1] for p in full['curve']] == [7, 13, 20]
    for probe in ('knn', 'bag_knn', 'linear', 'transformer'):
        assert 0 <= full[probe] <= 100
    backbone = osp.join(REPO, full['backbone'])
    assert full['backbone_sha256'] == hashlib.sha256(open(backbone, 'rb').read()).hexdigest()
    assert not list(partial.glob('*.pth'))
    # the token probe's own records (beside --records), made from the kept backbone
    probes = tmp_path / 'r_token_probe.jsonl'
    probe, = [json.loads(line) for line in probes.read_text().splitlines()]
    assert probe['unit'] == full['unit'] and 0 <= probe['token_probe'] <= 100
    assert probe['backbone_sha256'] == full['backbone_sha256']
    assert probe['settings']['centre_view'] and probe['settings']['copies'] == 2
    # --phase token-probe probes again a unit whose probe is not recorded, from its backbone
    probes.unlink()
    again = run(base + ['--phase', 'token-probe'])
    redone, = [json.loads(line) for line in probes.read_text().splitlines()]
    assert redone['token_probe'] == probe['token_probe']       # the same backbone and seeds
    (tmp_path / 'o.md').unlink()
    report = run(base + ['--report-only'])
    table = (tmp_path / 'o.md').read_text()
    assert f'| {probe["token_probe"]:.1f} |' in table and 'steps left' not in report.stdout
    # another backbone file under the unit's name is refused, naming the fix
    probes.unlink()
    torch.save({'state_dict': {}}, backbone)
    bad = run(base + ['--phase', 'token-probe'], check=False)
    assert bad.returncode != 0 and 'not the backbone it measured' in bad.stderr
    # a machine that lost the kept backbone: one error naming the unit and the fix
    os.remove(backbone)
    lost = run(base + ['--phase', 'token-probe'], check=False)
    assert lost.returncode != 0 and not probes.exists()
    assert (f'not probed, their kept backbones are not on this machine: {full["unit"]}; put '
            f'the file back, or train another seed') in lost.stderr
    # a random-init unit's backbone is its seed's initialisation: built again, bitwise
    run(base + ['--phase', 'full', '--methods', 'none', '--seeds', '0'])
    rand = [json.loads(line) for line in (tmp_path / 'r.jsonl').read_text().splitlines()
            if json.loads(line)['method'] == 'none'][0]
    first, = [json.loads(line) for line in probes.read_text().splitlines()]
    probes.unlink()
    os.remove(osp.join(REPO, rand['backbone']))
    rebuilt = run(base + ['--phase', 'token-probe', '--methods', 'none'])
    assert 'its random-init backbone built again from seed 0' in rebuilt.stdout
    again, = [json.loads(line) for line in probes.read_text().splitlines()]
    assert again['backbone_sha256'] == rand['backbone_sha256']
    assert again['token_probe'] == first['token_probe'] and first['unit'] == rand['unit']


def test_probe_batches_load_once_and_only_when_a_unit_needs_them(monkeypatch):
    """A lane started again passes over its recorded units without decoding the probe images:
    the batches are read on first use, once, with the train image count."""
    import types
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    import fixed_work_study
    calls = []

    def fake_batches(data, size, workers):
        calls.append((data, size, workers))
        return {'train': [{'data_samples': [0] * 5}, {'data_samples': [0] * 3}], 'val': [],
                'num_classes': 10}

    monkeypatch.setattr(fixed_work_study, 'cached_eval_batches', fake_batches)
    evals = fixed_work_study.EvalBatches(types.SimpleNamespace(data_abs='d', size=64,
                                                               workers=1))
    assert calls == []
    assert evals['num_classes'] == 10 and evals['train_images'] == 8 and evals['val'] == []
    assert calls == [('d', 64, 1)]
    with pytest.raises(KeyError):
        evals['test']
    assert len(calls) == 1


def test_lr_search_grows_past_the_edge_where_the_best_factor_lies():
    """Every method's grid grows by one factor past an edge holding the best linear top-1,
    at most twice per edge, never past a diverged run; the full runs refuse until done."""
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from fixed_work_study import best_lr_mult, search_todo
    from study import Records

    def records(*runs):
        rec = Records.__new__(Records)
        rec.rows = [dict(phase='search', method='m', lr_mult=x, linear=acc,
                         **({'diverged': True} if acc is None else {})) for x, acc in runs]
        return rec

    assert search_todo(records(), 'm') == [2., 8., 32.]
    assert search_todo(records((2., 40.), (32., 45.)), 'm') == [8.]
    assert search_todo(records((2., 40.), (8., 44.), (32., 41.)), 'm') == []     # interior
    assert best_lr_mult(records((2., 40.), (8., 44.), (32., 41.)), 'm') == 8.
    assert search_todo(records((2., 40.), (8., 42.), (32., 45.)), 'm') == [128.]
    assert search_todo(records((2., 46.), (8., 42.), (32., 41.)), 'm') == [0.5]
    grown = records((2., 40.), (8., 42.), (32., 45.), (128., 46.))
    assert search_todo(grown, 'm') == [512.]
    with pytest.raises(SystemExit, match=r'x512 still to run'):
        best_lr_mult(grown, 'm')
    # twice grown: the edge stays, reported as it is
    assert search_todo(records((2., 40.), (8., 42.), (32., 45.), (128., 46.), (512., 47.)),
                       'm') == []
    # a diverged factor past the edge ends the growth; the best run below it is used
    stopped = records((2., 40.), (8., 42.), (32., 45.), (128., None))
    assert search_todo(stopped, 'm') == [] and best_lr_mult(stopped, 'm') == 32.
    with pytest.raises(SystemExit, match='every lr factor of m diverged'):
        best_lr_mult(records((2., None), (8., None), (32., None)), 'm')


def test_best_variant_is_the_screen_winner_and_waits_for_the_screen():
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from fixed_work_study import VARIANTS, best_variant
    from study import Records
    rec = Records.__new__(Records)
    rec.rows = [dict(phase='search', method='qbheat', lr_mult=x, linear=acc)
                for x, acc in ((2., 40.), (8., 45.), (32., 41.))]
    with pytest.raises(SystemExit, match='the screen is not finished'):
        best_variant(rec)
    others = [v for v in VARIANTS if v != 'qbheat']
    rec.rows += [dict(phase='screen', method=v, lr_mult=8., linear=44.) for v in others]
    assert best_variant(rec) == 'qbheat'                      # the default's 45.0 wins
    rec.rows[-1]['linear'] = 46.
    assert best_variant(rec) == others[-1]


def test_paper_comparison_gives_the_gap_and_its_standard_error():
    """QB-Heat − MoCo-v2 beside the paper's gaps: the difference of the means, ± its standard
    error only when both methods have at least two seeds."""
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from fixed_work_study import paper_comparison
    three = dict(linear=3, token_probe=3)
    qbheat = dict(seeds=3, counts=three, linear=(50.0, 1.0), token_probe=(60.0, 3.0))
    mocov2 = dict(seeds=3, counts=three, linear=(52.0, 2.0), token_probe=(58.0, 0.0))
    text = paper_comparison(qbheat, mocov2)
    # sqrt(1/3 + 4/3) = 1.29; sqrt(9/3 + 0) = 1.73
    assert 'linear -2.0 ± 1.3 over 3 and 3 seeds (paper: on par)' in text
    assert '+2.0 ± 1.7 over 3 and 3 seeds (paper: +12.7, non-linear probe 65.6 vs 52.9)' in text
    text = paper_comparison(dict(qbheat, counts=dict(linear=1, token_probe=1)), mocov2)
    assert 'linear -2.0 over 1 and 3 seeds (paper' in text and '±' not in text
    # the token probe of only 2 of MoCo-v2's 3 seeds: its n is 2; sqrt(9/3 + 0/2) = 1.73
    text = paper_comparison(qbheat, dict(mocov2, counts=dict(linear=3, token_probe=2)))
    assert '+2.0 ± 1.7 over 3 and 2 seeds (paper: +12.7' in text


def test_fixed_work_report_covers_every_recorded_seed_and_compares_each_variant():
    """A run given one seed (as each lane runs its units) rewrites the report from all full
    records, not from that seed alone, and every QB-Heat variant with full runs gets its own
    line against MoCo-v2."""
    import types
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from fixed_work_study import write_report
    from study import Records
    rec = Records.__new__(Records)
    rec.path, rec.settings = None, dict(size=256)

    def unit(method, seed, linear, token):
        return dict(phase='full', method=method, seed=seed, steps=10, linear=linear,
                    token_probe=token, knn=30.)

    rec.rows = [unit('qbheat', 0, 50., 60.), unit('qbheat', 1, 52., 62.),
                unit('qbheat', 2, 54., 64.), unit('mocov2', 0, 51., 61.),
                unit('mocov2', 1, 53., 63.), unit('qbheat-loss-full', 0, 55., 66.)]
    args = types.SimpleNamespace(seeds=[0], size=256, data='imagenette', arch='26m', out=None)
    text = write_report(args, rec, None)
    assert '| qbheat | 3 | 10 |' in text and '| mocov2 | 2 | 10 |' in text
    assert 'seeds=[0, 1, 2]' in text
    # 52 - 52 = 0, sqrt(4/3 + 2/2) = 1.53
    assert '**QB-Heat − MoCo-v2**' in text and 'linear +0.0 ± 1.5 over 3 and 2 seeds' in text
    assert '**QB-Heat (full-image loss) − MoCo-v2**' in text
    assert 'linear +3.0 over 1 and 2 seeds (paper: on par)' in text
    # a probe that only some units have is summarised over those, and the table says so:
    # QB-Heat's token probe on seeds 0 and 2 only: (60 + 64) / 2 = 62, std 2.83
    rec.rows[1]['token_probe'] = None
    text = write_report(args, rec, None)
    assert '| 62.0 ± 2.8 (2 of 3) |' in text
    # sqrt(8 / 2 + 2 / 2) = 2.24
    assert 'token probe (map + tokens, aug.) +0.0 ± 2.2 over 2 and 2 seeds' in text
    rec.rows[1]['token_probe'] = 62.
    assert 'supervised backbone' not in text          # no supervised unit yet
    rec.rows += [unit('supervised', 0, 70., 69.5)]
    text = write_report(args, rec, None)
    assert ('**The token probe on the supervised backbone** (1 seed): 69.5 against 70.0 for the '
            'linear probe (-0.5); the acceptance, not below the linear probe, is not met.') in text
    rec.rows[-1]['token_probe'] = 72.
    assert '72.0 against 70.0 for the linear probe (+2.0)' in write_report(args, rec, None)
    assert 'is met.' in write_report(args, rec, None)


def test_detection_picture_is_drawn_from_recorded_detections_and_kept_when_a_column_is_missing(
        tmp_path):
    """The picture's columns come from each unit's recorded detections, so it is redrawn
    without any detector checkpoint (a fresh clone); on a machine that lost a method's
    checkpoint before its detections were recorded, a new unit does not redraw the committed
    picture with fewer columns: it stays byte for byte."""
    import types
    voc = shared_data('voc2007-small')
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from frozen_detection_study import CONFIG, draw, picture_records
    out = tmp_path / 'det.md'
    picture = tmp_path / 'det.png'
    picture.write_bytes(b'the committed picture')
    args = types.SimpleNamespace(out=str(out), records=str(tmp_path / 'det.jsonl'),
                                 data_abs=voc, config=CONFIG, image_scale=[256, 256],
                                 picture_images=2, score_thr=0.3)
    with open(osp.join(voc, 'annotations', 'instances_val.json')) as f:
        images = json.load(f)['images']
    names = [images[0]['file_name'], images[len(images) // 2]['file_name']]
    picture_records(args).add(dict(unit='vicreg_seed0_det0', method='vicreg', seed=0, AP=1.5,
                                   images=names, boxes=[[[10., 20., 120., 200., 'person', 0.9],
                                                         [5., 5., 30., 30., 'cat', 0.1]], []]))
    rows = [dict(unit='qbheat_seed0_det0', method='qbheat', backbone='qbheat_seed0', seed=0,
                 checkpoint=str(tmp_path / 'gone.pth'), AP=1.0),
            dict(unit='vicreg_seed0_det0', method='vicreg', backbone='vicreg_seed0', seed=0,
                 checkpoint=str(tmp_path / 'gone_too.pth'), AP=1.5)]
    assert draw(args, rows) == str(picture)
    assert picture.read_bytes() == b'the committed picture'
    picture.unlink()               # no picture yet: drawn from the recorded detections alone
    assert draw(args, rows) == str(picture) and picture.stat().st_size > 5000
    picture.unlink()               # no detections recorded for any method: nothing drawn
    assert draw(args, rows[:1]) == '' and not picture.exists()


def test_detection_report_compares_every_qbheat_variant_with_each_paper_comparator(tmp_path):
    """The detection report gets one line per (QB-Heat variant with units, comparator of the
    paper's claims with units): the default and the full-image-loss variant against MoCo-v2;
    no supervised line while supervised has no unit. A unit that the other lane records after
    this process read the file is in the report all the same."""
    import types
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from frozen_detection_study import write_report
    from study import Records
    path, settings = str(tmp_path / 'det.jsonl'), dict(image_scale=[256, 256])
    rec = Records(path, settings)

    def unit(method, ap, ap50):
        return dict(method=method, seed=0, AP=ap, AP50=ap50, train_s=600.)

    for row in (unit('qbheat', 1.0, 3.0), unit('qbheat', 0.8, 2.8), unit('mocov2', 1.2, 3.4),
                unit('qbheat-loss-full', 1.5, 4.0), unit('none', 0.2, 0.8)):
        rec.add(row)
    args = types.SimpleNamespace(seeds=[0], out=None, no_picture=True, threads=1)
    text = write_report(args, rec)
    assert '| qbheat | 2 | 0.9 ± 0.1 | 2.9 ± 0.1 |' in text
    lines = [line for line in text.splitlines() if ' − ' in line]
    assert len(lines) == 2 and 'supervised' not in text
    assert lines[0].startswith('QB-Heat − MoCo-v2: -0.3 AP, -0.5 AP50 here (2 and 1 units')
    assert lines[1].startswith('QB-Heat (full-image loss) − MoCo-v2: +0.3 AP, +0.6 AP50 here')
    # the other lane (another process, its own Records) records a supervised unit
    Records(path, settings).add(unit('supervised', 2.0, 6.0))
    text = write_report(args, rec)
    assert '| supervised | 1 | 2.0 | 6.0 |' in text
    assert 'QB-Heat − supervised: -1.1 AP, -3.1 AP50 here (2 and 1 units' in text
    # a second detector seed (trained by a command with --seeds 1) is in every report,
    # whichever seeds the reporting command trains
    Records(path, settings).add(dict(unit('none', 0.4, 1.2), seed=1))
    text = write_report(args, rec)
    assert '| none | 2 | 0.3 ± 0.1 | 1.0 ± 0.3 |' in text and 'seeds=[0, 1]' in text


def test_detection_paper_comparison_gives_ap_and_ap50_gaps_with_their_standard_error():
    """The detection report's QB-Heat − MoCo-v2 / supervised: AP and AP50 differences of the
    means beside the paper's lead, ± the standard error once both have two units."""
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from frozen_detection_study import paper_comparison
    qbheat = dict(units=2, AP=(0.9, 0.1), AP50=(2.9, 0.3))
    mocov2 = dict(units=3, AP=(1.1, 0.2), AP50=(3.3, 0.3))
    text = paper_comparison(qbheat, mocov2, 'mocov2')
    # sqrt(0.01/2 + 0.04/3) = 0.135; sqrt(0.09/2 + 0.09/3) = 0.274
    assert text.startswith('QB-Heat − MoCo-v2: -0.2 ± 0.1 AP, -0.4 ± 0.3 AP50 here')
    assert '(2 and 3 units; the paper, frozen COCO detection: QB-Heat +7.9 AP)' in text
    text = paper_comparison(dict(qbheat, units=1), dict(mocov2, AP=(0.4, 0.2)), 'supervised')
    assert text.startswith('QB-Heat − supervised: +0.5 AP, -0.4 AP50 here') and '±' not in text
    assert 'QB-Heat +4.5 AP' in text
    # a variant is named as the 256-px study names it
    text = paper_comparison(qbheat, mocov2, 'mocov2', 'qbheat-loss-full')
    assert text.startswith('QB-Heat (full-image loss) − MoCo-v2: -0.2 ± 0.1 AP')


@pytest.mark.parametrize('pool,pooled_skip', [('cls', False), ('cls', True), ('mean', True)])
def test_token_probe_learns_a_class_held_in_the_pooled_map(pool, pooled_skip):
    """The token probe, [CLS] or mean-pooled, with or without the pooled map beside the block's
    output, learns two classes that only the mean of one channel over the cells separates
    (the other channels and the tokens are noise), from two augmented views per image, and
    gives the same top-1 when run again with the same seed."""
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from study import token_probe_top1
    g = torch.Generator().manual_seed(0)

    def features(n):
        y = torch.arange(n) % 2
        maps = torch.randn(n, 8, 4, 4, generator=g)
        maps[:, 0] += (2. * y - 1.).view(-1, 1, 1) * 0.8       # the class, in channel 0's mean
        return maps.half(), torch.randn(n, 3, 6, generator=g).half(), y

    m1, t1, y = features(256)
    m2 = (m1.float() + 0.1 * torch.randn(m1.shape, generator=g)).half()   # a second view
    vm, vt, vy = features(128)
    kwargs = dict(epochs=15, batch=32, embed_dims=16, num_heads=2, lr=3e-3, warmup_epochs=1,
                  pool=pool, pooled_skip=pooled_skip)
    top1 = token_probe_top1([(m1, t1), (m2, t1)], y, vm, vt, vy, **kwargs)
    assert top1 >= 95.
    assert token_probe_top1([(m1, t1), (m2, t1)], y, vm, vt, vy, **kwargs) == top1

"""Seconds-long runs of the benchmark scripts (tiny sizes), so they cannot rot."""
import re
import sys

from .conftest import shared_data
from .test_tools.helpers import run

ROW = re.compile(r'^\| (\S+) \|', re.M)


def test_pretrain_throughput_smoke(tmp_path):
    out = tmp_path / 'pt.md'
    proc = run([sys.executable, 'benchmarks/pretrain_throughput.py', '--reps', '1', '--steps',
                '1', '--batch', '2', '--size', '64', '--out', str(out)])
    text = out.read_text()
    assert {'qbheat', 'mocov2', 'full_mim', 'lewel', 'bagssl'} <= set(ROW.findall(text))
    assert 'MiB' in text and text in proc.stdout


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


def test_ssl_small_scale_smoke(tmp_path):
    data = shared_data('imagenette-mini')
    out = tmp_path / 'ssl.md'
    run([sys.executable, 'benchmarks/ssl_small_scale.py', '--data', data, '--budget-min',
         '0.05', '--size', '64', '--batch', '8', '--out', str(out)])
    text = out.read_text()
    assert {'qbheat', 'lewel', 'bagssl', 'mocov2', 'none'} <= set(ROW.findall(text))
    assert 'bag-of-16-patches kNN' in text
    assert re.search(r'\| none \| 0 \| 0 \| 0 \|', text)


def test_pretrain_throughput_resnet50_smoke(tmp_path):
    out = tmp_path / 'pt_r50.md'
    run([sys.executable, 'benchmarks/pretrain_throughput.py', '--arch', 'resnet50', '--reps', '1',
         '--steps', '1', '--batch', '2', '--size', '64', '--no-memory', '--out', str(out)])
    assert {'qbheat', 'spark', 'mocov2', 'full_mim'} == set(ROW.findall(out.read_text())) - {
        'method'}

import os
import subprocess
import sys

import pytest

from .conftest import REPO


def run_python(args, extra_path=None):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (extra_path, REPO,
                                                    env.get('PYTHONPATH')) if p)
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)


def test_diagnostics_report_the_stack():
    proc = run_python(['-m', 'qbheat_mm.env'])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ('torch', 'torchvision', 'mmcv', 'mmengine', 'mmpretrain', 'mmdet', 'mmseg',
                 'CUDA available'):
        assert name in proc.stdout
    assert 'mmcv ops' in proc.stdout and 'All good.' in proc.stdout


@pytest.fixture
def fake_mmcv(tmp_path):
    def make(version):
        pkg = tmp_path / version / 'mmcv'
        pkg.mkdir(parents=True)
        (pkg / '__init__.py').write_text(f"__version__ = '{version}'\n")
        return str(tmp_path / version)
    return make


@pytest.mark.parametrize('version,message', [
    ('2.2.0', 'mmcv 2.2.0 is installed, but mmdet 3.3 needs'),
    ('2.1.0', 'has no usable compiled ops'),
])
def test_import_fails_clearly_with_unusable_mmcv(fake_mmcv, version, message):
    fake = fake_mmcv(version)
    proc = run_python(['-c', 'import qbheat_mm'], extra_path=fake)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('ImportError: qbheat_mm:') and message in last
    assert 'make env' in last and 'MMCV_WITH_OPS=1' in last
    # the diagnostics still run and name the problem
    diag = run_python(['-m', 'qbheat_mm.env'], extra_path=fake)
    assert diag.returncode == 1
    assert 'Problems:' in diag.stdout and message in diag.stdout

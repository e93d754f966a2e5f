"""The README's first command block works verbatim in a new shell, where ``python`` is not the
project environment's: each ``python tools/...`` line runs until its first logged training
iterations (then it is stopped; the demos' full runs are timed in the README)."""
import os
import os.path as osp
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .conftest import REPO, shared_data


def readme_lines():
    with open(osp.join(REPO, 'README.md')) as f:
        block = re.search(r'```bash\n(.*?)```', f.read(), re.S).group(1)
    return [line.split('#')[0].strip() for line in block.splitlines()
            if line.startswith('python tools/')]


def new_shell_env():
    """The environment of a new login shell: the project environment's bin folder and
    PYTHONPATH removed, so ``python`` is whatever the machine's PATH gives."""
    env_bin = osp.dirname(sys.executable)
    path = os.pathsep.join(p for p in os.environ.get('PATH', '').split(os.pathsep)
                           if p and osp.abspath(p) != env_bin)
    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'VIRTUAL_ENV', 'QBHEAT_ENV_REEXEC')}
    env['PATH'] = path
    return env


def test_the_readme_names_its_demo_commands():
    lines = readme_lines()
    assert len(lines) >= 3 and all(line.startswith('python tools/train.py configs/')
                                   for line in lines)


@pytest.mark.parametrize('line', readme_lines())
def test_readme_line_runs_verbatim_in_a_new_shell(line, tmp_path):
    shared_data('imagenette-mini')
    shared_data('coco128')
    env = new_shell_env()
    if shutil.which('python', path=env['PATH']) is None:
        pytest.skip('no `python` on the PATH of a new shell on this machine')
    work_dir = osp.join(REPO, 'work_dirs', osp.splitext(osp.basename(line.split()[2]))[0])
    before = set(os.listdir(work_dir)) if osp.isdir(work_dir) else None
    proc = subprocess.Popen(['bash', '-c', line], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen, start = [], time.time()
    try:
        for out in proc.stdout:
            seen.append(out)
            if re.search(r'Iter\(train\) \[\s*\d+/\d+\]', out) or time.time() - start > 600:
                break
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        if before is None:          # leave a user's earlier runs of the demo alone
            shutil.rmtree(work_dir, ignore_errors=True)
        elif osp.isdir(work_dir):
            for entry in set(os.listdir(work_dir)) - before:
                path = osp.join(work_dir, entry)
                shutil.rmtree(path) if osp.isdir(path) else os.remove(path)
    text = ''.join(seen)
    assert re.search(r'Iter\(train\) \[\s*\d+/\d+\]', text), text[-3000:]
    assert 'Traceback' not in text

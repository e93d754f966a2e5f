"""tools/setup_env.sh: safe to start twice, never silent, failures name their step and log.

The build steps are replaced by QBHEAT_SETUP_STUB (a seconds-long stub that links the base
python as the environment's), so everything else (the lock, the waiting message, reuse,
--print, the failure report) runs as it does for a real build."""
import os
import os.path as osp
import subprocess
import sys
import time

from .helpers import REPO

SCRIPT = osp.join(REPO, 'tools', 'setup_env.sh')


def setup_env(cache, *args, stub='2', wait=True):
    env = dict(os.environ, QBHEAT_CACHE=str(cache), PYTHON=sys.executable)
    env.pop('QBHEAT_ENV', None)
    if stub is not None:
        env['QBHEAT_SETUP_STUB'] = stub
    proc = subprocess.Popen([SCRIPT, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc.communicate() + (proc.returncode, ) if wait else proc


def wait_for_build_start(cache, timeout: float = 10.) -> None:
    """Until the stub build in ``cache`` has started (it holds the lock by then)."""
    deadline = time.time() + timeout
    while not (cache / 'stub_builds').exists() and time.time() < deadline:
        time.sleep(0.05)


def test_two_concurrent_calls_build_once_and_both_return_the_python(tmp_path):
    first = setup_env(tmp_path, stub='3', wait=False)
    wait_for_build_start(tmp_path)      # the second starts while the first holds the lock
    second = setup_env(tmp_path, stub='3', wait=False)
    out1, err1 = first.communicate()
    out2, err2 = second.communicate()
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    py1, py2 = out1.strip().splitlines()[-1], out2.strip().splitlines()[-1]
    assert py1 == py2 and osp.basename(osp.dirname(osp.dirname(py1))).startswith('env-')
    assert len((tmp_path / 'stub_builds').read_text().split()) == 1      # built once
    assert f'waiting for another build of {osp.dirname(osp.dirname(py1))} (pid ' in err2
    assert 'the other build finished; reusing' in err2
    # the built environment works: its python runs
    assert subprocess.run([py1, '-c', 'print(1)'], capture_output=True).returncode == 0
    # a third call reuses it at once
    out3, err3, rc3 = setup_env(tmp_path)
    assert rc3 == 0 and out3.strip() == py1 and 'reusing' in err3


def test_print_never_builds(tmp_path):
    out, err, rc = setup_env(tmp_path, '--print')
    assert rc == 1 and out == '' and "build it with 'make env'" in err
    assert not (tmp_path / 'stub_builds').exists()
    built, _, _ = setup_env(tmp_path, stub='0')
    out, err, rc = setup_env(tmp_path, '--print')
    assert rc == 0 and out.strip() == built.strip().splitlines()[-1] and err == ''


def test_print_says_a_build_is_running(tmp_path):
    proc = setup_env(tmp_path, stub='3', wait=False)
    wait_for_build_start(tmp_path)
    out, err, rc = setup_env(tmp_path, '--print')
    proc.communicate()
    assert rc == 1 and out == '' and 'is being built now (pid' in err and 'make env' in err


def test_a_failed_build_names_its_step_and_log(tmp_path):
    out, err, rc = setup_env(tmp_path, stub='fail')
    assert rc != 0 and out == ''
    last = err.strip().splitlines()
    assert any('FAILED at step 1/1 stub build' in line and 'setup_env-' in line and
               line.rstrip().endswith('the last lines:') for line in last)
    assert 'stub: a step that fails' in err          # the log's last lines are shown
    assert 'rerun tools/setup_env.sh' in last[-1]
    log = [line for line in last if 'Its output:' in line][0].split('Its output: ')[1]
    assert osp.isfile(log.split(';')[0])


def test_make_print_python_does_not_build(tmp_path):
    env = dict(os.environ, QBHEAT_CACHE=str(tmp_path), QBHEAT_SETUP_STUB='0')
    env.pop('QBHEAT_ENV', None)
    proc = subprocess.run(['make', '-s', 'print-python'], cwd=REPO, env=env,
                          capture_output=True, text=True)
    assert proc.returncode != 0 and proc.stdout == '' and 'make env' in proc.stderr
    assert not (tmp_path / 'stub_builds').exists()


def test_gpu_check_dry_run_runs_every_check_end_to_end(tmp_path):
    """tools/gpu_check.sh --dry-run: no install or build, the four checks on the CPU with
    tiny settings; the report lists the set-up steps and every check as passed."""
    env = dict(os.environ, PYTHON=sys.executable)
    proc = subprocess.run([osp.join(REPO, 'tools', 'gpu_check.sh'), '--dry-run', '--out',
                           str(tmp_path)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = (tmp_path / 'gpu_check.md').read_text()
    assert report.startswith('# GPU check: all passed')
    assert '| install carried wheels | skipped (--dry-run) |' in report
    rows = [line for line in report.splitlines() if line.startswith('| ') and 'PASS' in line]
    assert len(rows) == 4
    assert '(target moved)' in rows[0] and rows[0].count('(target moved)') == 4
    assert 'QB-Heat / MoCo-v2 =' in rows[2] and 'backbone bitwise unchanged' in rows[3]


def test_gpu_check_exits_non_zero_on_a_failed_check(tmp_path):
    proc = subprocess.run([sys.executable, osp.join(REPO, 'tools', 'misc', 'gpu_check.py'),
                           '--dry-run', '--decode-tol', '-1', '--out', str(tmp_path)],
                          capture_output=True, text=True, cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=REPO))
    assert proc.returncode == 1
    report = (tmp_path / 'gpu_check.md').read_text()
    assert report.startswith('# GPU check: 1 FAILED')
    assert '| 2. device decode vs CPU decode | FAIL |' in report


def test_compile_progress_counts_objects_even_before_the_build_folder_exists(tmp_path):
    """The mmcv compile's progress lines (setup_env.sh's compile_progress, run as the script
    runs it, under set -euo pipefail): no build folder yet, then objects / the ninja file's
    total with an ETA; the loop ends with the builder and never fails the script."""
    text = open(SCRIPT).read()
    start = text.index('compile_progress() {')
    function = text[start:text.index('\n}\n', start) + 3]
    build = tmp_path / 'build'
    script = tmp_path / 'progress.sh'
    script.write_text(
        "set -euo pipefail\nlog() { printf '%s\\n' \"$*\" >&2; }\n" + function +
        f"(sleep 2; mkdir -p {build}/temp.x; printf 'build a.o: x\\nbuild b.o: x\\n' "
        f"> {build}/temp.x/build.ninja; touch {build}/temp.x/a.o; sleep 3) &\n"
        f"b=$!\ncompile_progress $b {build}\nwait $b\necho finished\n")
    proc = subprocess.run(['bash', str(script)], capture_output=True, text=True,
                          env=dict(os.environ, QBHEAT_PROGRESS_S='1'))
    assert proc.returncode == 0 and proc.stdout.strip() == 'finished', proc.stderr
    assert 'mmcv ops: preparing the compile' in proc.stderr
    assert 'mmcv ops: 1/2 objects compiled' in proc.stderr and 'ETA' in proc.stderr

"""Run a tool under the project's environment when the interpreter that started it lacks it.

The environment lives outside the clone (tools/setup_env.sh, ``make env``), so in a new shell
``python`` is usually the system interpreter, without torch. Every tool calls :func:`ensure`
before importing the stack: when torch or mmengine is missing it asks tools/setup_env.sh for
the environment's interpreter (building the environment the first time: 15-21 min on 2
cores, with progress lines) and
re-executes the same command line with it. It also puts the repository root first on
``sys.path`` (so a tool imports this checkout's ``qbheat_mm``, installed or not) and silences
the deprecation warning that mmengine's and mmdet's use of setuptools' ``pkg_resources``
prints at every import: not ours to fix.
"""
import os
import os.path as osp
import subprocess
import sys
import warnings

TOOLS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TOOLS)
MARK = 'QBHEAT_ENV_REEXEC'


def ensure() -> None:
    warnings.filterwarnings('ignore', message='pkg_resources is deprecated',
                            category=UserWarning)
    if REPO in sys.path:
        sys.path.remove(REPO)
    sys.path.insert(0, REPO)
    try:
        import mmengine  # noqa: F401
        import torch  # noqa: F401
        return
    except ImportError as exc:
        missing = exc.name
    if os.environ.get(MARK):
        raise SystemExit(f'{missing} is missing even in the project environment '
                         f'({sys.executable}); rebuild it with make env and check make doctor')
    print(f'[qbheat_mm] {sys.executable} has no {missing}: running this command with the '
          f'project environment (tools/setup_env.sh; the first time it builds it: 15-21 min on 2 '
          f'cores, progress below)',
          file=sys.stderr, flush=True)
    out = subprocess.run([osp.join(TOOLS, 'setup_env.sh')], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    python = out.strip().splitlines()[-1]
    os.environ[MARK] = '1'
    os.execv(python, [python] + sys.argv)

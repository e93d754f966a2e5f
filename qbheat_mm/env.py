"""Stack check and diagnostics: ``python -m qbheat_mm.env``.

Prints the versions of torch, torchvision, mmcv (and whether its compiled ops
load), mmengine, mmdet, mmseg and mmpretrain, CUDA availability, and a hint for
whatever is missing or mismatched.
"""
import importlib
import sys
from typing import Dict, List, Tuple

#: versions this release is built and tested with (requirements/*.txt)
PINS = {
    'torch': '2.14.1', 'torchvision': '0.29.1', 'mmcv': '2.1.0', 'mmengine': '0.10.7',
    'mmpretrain': '1.2.0', 'mmdet': '3.3.0', 'mmseg': '1.2.2',
}
#: pip names where they differ from the module names
PIP_NAMES = {'mmseg': 'mmsegmentation'}
FIX_ENV = ('run `make env` in the qbheat_mm checkout (it builds mmcv 2.1.0 with its ops), or '
           'build it yourself: MMCV_WITH_OPS=1 pip install --no-build-isolation mmcv==2.1.0 '
           '(add FORCE_CUDA=1 for CUDA ops; with torch >= 2.14 raise -std=c++17 to -std=c++20 '
           "in mmcv's setup.py, see README)")


def _mmcv_problem() -> str:
    """'' when mmcv fits mmdet 3.3 (2.0.0rc4 <= mmcv < 2.2.0 with compiled ops), else why not."""
    try:
        import mmcv
    except ImportError as exc:
        return f'mmcv is not installed ({exc})'
    from mmengine.utils import digit_version
    version = digit_version(mmcv.__version__)
    if not digit_version('2.0.0rc4') <= version < digit_version('2.2.0'):
        return (f'mmcv {mmcv.__version__} is installed, but mmdet 3.3 needs '
                '2.0.0rc4 <= mmcv < 2.2.0 (use mmcv 2.1.0)')
    try:
        importlib.import_module('mmcv._ext')
    except Exception as exc:  # ImportError, or OSError for an ABI mismatch
        return (f'mmcv {mmcv.__version__} has no usable compiled ops (mmcv._ext: {exc}); '
                'mmcv-lite cannot serve, since mmdet imports mmcv.ops')
    return ''


def check_stack() -> None:
    """Raise one ImportError naming the fix when mmcv cannot serve qbheat_mm."""
    problem = _mmcv_problem()
    if problem:
        raise ImportError(f'qbheat_mm: {problem}. Fix: {FIX_ENV}.')


def collect() -> Tuple[Dict[str, str], List[str]]:
    """(name -> version or status, hints)."""
    info: Dict[str, str] = {'python': sys.version.split()[0]}
    hints: List[str] = []
    for name in ('torch', 'torchvision', 'mmengine', 'mmcv', 'mmpretrain', 'mmdet', 'mmseg'):
        try:
            module = importlib.import_module(name)
            info[name] = module.__version__
        except Exception as exc:  # noqa: BLE001 - report any import failure
            info[name] = f'not importable ({type(exc).__name__}: {exc})'
            hints.append(f'{name}: install {PIP_NAMES.get(name, name)}=={PINS[name]} '
                         f'({FIX_ENV})')
            continue
        if not info[name].split('+')[0] == PINS[name]:
            hints.append(f'{name} {info[name]} differs from the tested {PINS[name]}')
    problem = _mmcv_problem() if 'not importable' not in info.get('mmcv', '') else ''
    info['mmcv ops'] = 'no' if problem else 'yes'
    if problem:
        hints.append(f'{problem}. Fix: {FIX_ENV}')
    try:
        import torch
        info['CUDA available'] = str(torch.cuda.is_available())
        info['torch CUDA build'] = str(torch.version.cuda)
        if torch.cuda.is_available():
            info['GPU'] = torch.cuda.get_device_name(0)
    except Exception:  # noqa: BLE001
        pass
    try:
        import setuptools
        info['setuptools'] = setuptools.__version__
        if int(setuptools.__version__.split('.')[0]) >= 82:
            hints.append('setuptools >= 82 has no pkg_resources, which mmengine needs for '
                         "'mmdet::'/'mmpretrain::' config bases: pip install 'setuptools>=77,<82'")
    except ImportError:
        hints.append("setuptools is missing: pip install 'setuptools>=77,<82'")
    return info, hints


def main() -> int:
    info, hints = collect()
    width = max(map(len, info))
    for name, value in info.items():
        print(f'{name:<{width}}  {value}')
    try:
        import qbheat_mm
        print(f'{"qbheat_mm":<{width}}  {qbheat_mm.__version__} ({qbheat_mm.__file__})')
    except Exception as exc:  # noqa: BLE001
        hints.append(f'import qbheat_mm failed: {exc}')
    if hints:
        print('\nProblems:')
        for hint in hints:
            print(f'  - {hint}')
        return 1
    print('\nAll good.')
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""qbheat_mm: QB-Heat self-supervised pretraining and Mobile-Former for OpenMMLab."""
import os.path as osp
import re

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_version() -> str:
    with open(osp.join(HERE, 'qbheat_mm', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


def parse_requirements(name: str) -> list:
    """Requirement lines of requirements/<name>.txt (comments and blanks dropped)."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


setup(
    name='qbheat_mm',
    version=read_version(),
    description='QB-Heat pretraining (heat-equation masked image modeling) and Mobile-Former '
    'backbones for mmpretrain and mmdet',
    long_description=open(osp.join(HERE, 'README.md'), encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'benchmarks')),
    python_requires='>=3.10',
    # torch/torchvision and mmcv (built with ops) are expected to be installed first:
    # see README "Install into your own environment".
    install_requires=parse_requirements('runtime') + [
        r for r in parse_requirements('mminstall') if not r.startswith('mmcv')],
    extras_require={
        'tests': parse_requirements('tests'),
        'optional': parse_requirements('optional'),
        'mim': parse_requirements('mminstall'),
    },
    license='Apache-2.0',
    zip_safe=False,
)

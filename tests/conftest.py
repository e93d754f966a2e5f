import os
import os.path as osp

import pytest
import torch

import qbheat_mm  # noqa: F401  (registers every component)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = os.environ.get('QBHEAT_SHARED_DATA', osp.join(osp.dirname(REPO), 'shared', 'data'))


@pytest.fixture(autouse=True)
def _seed_and_scope(request):
    """Each test starts seeded, in mmpretrain's scope (mmdet tests switch it) and with a
    fresh current MessageHub, so no runner of an earlier test leaks its iteration or
    max_iters into it."""
    from mmengine.logging import MessageHub
    from mmengine.registry import init_default_scope
    torch.manual_seed(0)
    init_default_scope('mmpretrain')
    MessageHub.get_instance(f'test-{request.node.nodeid}')


def shared_data(name: str) -> str:
    """Path of a dataset in ../shared/data, skipping the test with a reason when absent."""
    path = osp.join(SHARED_DATA, name)
    if not osp.isdir(path):
        pytest.skip(f'shared dataset {path} is absent (set QBHEAT_SHARED_DATA to its folder)')
    return path

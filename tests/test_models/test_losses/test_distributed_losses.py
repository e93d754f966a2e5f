"""Every loss of the plugin that gathers across processes: 2 gloo processes on two halves of
a batch give the loss values and gradients of 1 process on the whole batch (float64).

What DDP applies is the mean over processes of each process's gradient, so a process's input
gradient divided by the world size must equal the one-process input gradient of its rows, and
the gradients of a DDP-wrapped layer (already averaged by DDP) must equal the one-process ones.
"""
import pytest
import torch
from torch import nn

from qbheat_mm.models.heads import LEWELMHead
from qbheat_mm.models.losses import VICRegLoss

from ...distributed import run_in_processes

WORLD = 2
BATCH = 8      # global batch; each process takes BATCH / WORLD rows


def make_case(name: str, seed: int = 0) -> dict:
    """Inputs (float64) of one loss; ``x`` is what the DDP-wrapped linear layer maps."""
    g = torch.Generator().manual_seed(seed)
    if name.startswith('vicreg'):
        n = int(name.split('-n')[1])
        return dict(x=torch.randn(BATCH, n, 5, generator=g, dtype=torch.float64))
    # LEWEL_M: queries through the layer; keys (gathered, no gradient) and the queue fixed
    return dict(x=torch.randn(BATCH, 5, 5, generator=g, dtype=torch.float64),
                k_g=torch.randn(BATCH, 6, generator=g, dtype=torch.float64),
                k_a=torch.randn(BATCH, 4, 6, generator=g, dtype=torch.float64),
                queue=nn.functional.normalize(
                    torch.randn(6, 16, generator=g, dtype=torch.float64), dim=0))


def layer() -> nn.Linear:
    torch.manual_seed(1)
    return nn.Linear(5, 6).double()


def losses_of(name: str, linear: nn.Module, case: dict, rows: slice) -> dict:
    x = case['x'][rows].clone().requires_grad_(True)
    z = linear(x)
    if name.startswith('vicreg'):
        terms = VICRegLoss()(z)
    else:
        online = (z[:, 0], z[:, 1:])
        target = (case['k_g'][rows], case['k_a'][rows])
        terms = LEWELMHead(temperature=0.2).loss(online, target, case['queue'])
    sum(terms.values()).backward()
    inner = getattr(linear, 'module', linear)
    return dict(terms={k: float(v) for k, v in terms.items()}, x_grad=x.grad,
                w_grad=inner.weight.grad.clone(), b_grad=inner.bias.grad.clone())


def _worker(rank: int, world: int, names: list) -> dict:
    from torch.nn.parallel import DistributedDataParallel
    out = {}
    for name in names:
        per = BATCH // world
        ddp = DistributedDataParallel(layer())
        out[name] = losses_of(name, ddp, make_case(name), slice(rank * per, (rank + 1) * per))
    return out


NAMES = ['vicreg-n2', 'vicreg-n3', 'lewelm']


@pytest.fixture(scope='module')
def two_processes():
    return run_in_processes(_worker, WORLD, NAMES)


@pytest.mark.parametrize('name', NAMES)
def test_two_processes_equal_one_process(two_processes, name):
    full = losses_of(name, layer(), make_case(name), slice(0, BATCH))
    per = BATCH // WORLD
    ranks = [two_processes[r][name] for r in range(WORLD)]
    # each term averaged over processes (what the logger reports) is the one-process term
    for term, value in full['terms'].items():
        mean = sum(r['terms'][term] for r in ranks) / WORLD
        assert mean == pytest.approx(value, rel=1e-12, abs=1e-12), term
    if name.startswith('vicreg'):   # batch statistics: the same value on every process
        for r in ranks:
            for term in ('loss_variance', 'loss_covariance'):
                assert r['terms'][term] == pytest.approx(full['terms'][term], rel=1e-12)
    for rank, r in enumerate(ranks):
        want = full['x_grad'][rank * per:(rank + 1) * per]
        assert torch.allclose(r['x_grad'] / WORLD, want, rtol=0, atol=1e-10), (name, rank)
        # DDP has averaged the layer's gradients over the processes
        assert torch.allclose(r['w_grad'], full['w_grad'], rtol=0, atol=1e-10), (name, rank)
        assert torch.allclose(r['b_grad'], full['b_grad'], rtol=0, atol=1e-10), (name, rank)
    assert full['x_grad'].abs().max() > 1e-3


def test_the_gathered_statistics_differ_from_a_local_batch():
    """The check above is not vacuous: half a batch gives another covariance term."""
    z = make_case('vicreg-n2')['x']
    half, whole = VICRegLoss()(z[:BATCH // 2]), VICRegLoss()(z)
    assert abs(float(half['loss_covariance']) - float(whole['loss_covariance'])) > 1e-3

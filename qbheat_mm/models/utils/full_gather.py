"""All-gather of a batch over processes that passes gradients back to every process."""
import torch
import torch.distributed as dist


def distributed_world() -> int:
    """Number of processes of the default group (1 when not distributed)."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return 1


class FullGather(torch.autograd.Function):
    """(B, ...) on each of W processes -> (W B, ...), ranks in order, on every process.

    Backward: every process holds a gradient for the whole gathered batch (its
    loss used all of it), so the gradients are summed over processes with one
    all-reduce and each process keeps the rows of its own samples. This is the
    official VICReg ``FullGatherLayer`` rule. It replaces
    ``torch.distributed.nn.functional.all_gather``, whose backward on the gloo
    backend mishandles a non-contiguous incoming gradient (the covariance
    term's transpose makes one) and gives wrong gradients without an error.
    Every process must pass a batch of the same shape.
    """

    @staticmethod
    def forward(ctx, z: torch.Tensor) -> torch.Tensor:
        z = z.contiguous()
        parts = [torch.empty_like(z) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, z)
        ctx.batch = z.size(0)
        return torch.cat(parts, dim=0)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        start = dist.get_rank() * ctx.batch
        return grad[start:start + ctx.batch]


def gather_batch(z: torch.Tensor) -> torch.Tensor:
    """Concatenate (B, ...) over all processes, keeping gradients (identity on one process)."""
    if distributed_world() == 1:
        return z
    return FullGather.apply(z)

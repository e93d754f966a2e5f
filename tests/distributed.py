"""Run a function in several gloo processes on this machine (the CPU stand-in for DDP)."""
import os
import traceback
from typing import Any, Callable, Dict

import torch.multiprocessing as mp

from .test_tools.helpers import free_port


def _entry(rank: int, world: int, port: int, fn: Callable, args: tuple, queue) -> None:
    import torch.distributed as dist
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    try:
        dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
                                world_size=world)
        queue.put((rank, fn(rank, world, *args), None))
        dist.barrier()
        dist.destroy_process_group()
    except Exception:  # report the worker's traceback instead of a bare timeout
        queue.put((rank, None, traceback.format_exc()))


def run_in_processes(fn: Callable, world: int, *args: Any, timeout: float = 300
                     ) -> Dict[int, Any]:
    """``fn(rank, world, *args)`` in ``world`` spawned gloo processes -> {rank: result}.

    ``fn`` must be a module-level function and its arguments and result picklable.
    """
    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    port = free_port()
    procs = [ctx.Process(target=_entry, args=(r, world, port, fn, args, queue))
             for r in range(world)]
    for p in procs:
        p.start()
    results, errors = {}, []
    try:
        for _ in procs:
            rank, result, error = queue.get(timeout=timeout)
            results[rank] = result
            if error:
                errors.append(f'rank {rank}:\n{error}')
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    if errors:
        raise RuntimeError('\n'.join(errors))
    return results

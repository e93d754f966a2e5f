"""A local file backend whose writes are atomic: a killed save leaves the old file or none."""
import os
import os.path as osp
from pathlib import Path
from typing import Union

import mmengine
from mmengine.fileio import register_backend
from mmengine.fileio.backends import LocalBackend


@register_backend('atomic_local')
class AtomicLocalBackend(LocalBackend):
    """:class:`LocalBackend` that writes ``filepath`` as ``filepath.<pid>.tmp``, flushes it to
    disk and renames it into place (``os.replace``, atomic on POSIX file systems).

    A run killed while saving a checkpoint therefore never leaves a half-written
    ``iter_N.pth`` behind (only a stray ``.tmp`` file), so ``last_checkpoint`` never points
    at a truncated archive. Select it for mmengine's ``CheckpointHook`` with
    ``backend_args=dict(backend='atomic_local')`` (the plugin's ``default_runtime`` does).
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        filepath = str(filepath)
        mmengine.mkdir_or_exist(osp.dirname(filepath))
        tmp = f'{filepath}.{os.getpid()}.tmp'
        try:
            with open(tmp, 'wb') as f:
                f.write(obj)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filepath)
        finally:
            if osp.exists(tmp):
                os.remove(tmp)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)

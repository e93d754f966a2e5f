"""Check, before a long run, that every image a dataset lists can be read and decoded."""
import os
import sys
import time
from multiprocessing import Pool
from typing import Iterable, List, Optional, Sequence, Tuple

from PIL import Image

from .data_root_check import innermost_dataset


def check_image(path: str) -> Optional[str]:
    """None when ``path`` opens and decodes completely (PIL, strictly: a truncated JPEG is an
    error), else the reason."""
    try:
        with Image.open(path) as image:
            image.load()
            if image.width < 1 or image.height < 1:
                return 'empty image'
    except Exception as exc:   # noqa: BLE001 - any failure is a finding
        return f'{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ""}'
    return None


def _check(path: str) -> Tuple[str, Optional[str]]:
    return path, check_image(path)


def verify_images(paths: Sequence[str], workers: int = 1, progress: bool = True,
                  stream=sys.stderr) -> List[Tuple[str, str]]:
    """``[(path, reason)]`` of the unreadable images among ``paths``, in their order, checked
    by ``workers`` processes with a progress / ETA line every 2 s."""
    bad, start, last = {}, time.time(), 0.
    results: Iterable[Tuple[str, Optional[str]]]
    pool = Pool(workers) if workers > 1 else None
    try:
        results = (pool.imap_unordered(_check, paths, chunksize=64) if pool
                   else map(_check, paths))
        for done, (path, reason) in enumerate(results, 1):
            if reason:
                bad[path] = reason
            now = time.time()
            if progress and (now - last > 2 or done == len(paths)):
                last, rate = now, done / max(now - start, 1e-9)
                stream.write(f'\r[{done}/{len(paths)}] {rate:.0f} images/s, '
                             f'{len(bad)} unreadable, ETA {(len(paths) - done) / rate:.0f} s ')
                stream.flush()
    finally:
        if pool:
            pool.close()
            pool.join()
    if progress and paths:
        stream.write('\n')
    return [(p, bad[p]) for p in paths if p in bad]


def dataset_image_paths(dataset) -> List[str]:
    """The image paths an mmengine dataset (mmpretrain or mmdet) lists."""
    dataset.full_init()
    paths = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        path = info.get('img_path') or info.get('filename')
        if path:
            paths.append(path)
    return paths


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def loader_image_paths(cfg, key: str = 'train_dataloader') -> List[str]:
    """Build the dataset of ``cfg[key]`` (wrappers such as ``RepeatDataset`` unwrapped, its
    pipeline dropped) and return the image paths it lists."""
    import copy

    from mmengine.registry import DATASETS, init_default_scope
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    dataset = copy.deepcopy(innermost_dataset(cfg[key]['dataset']))
    dataset['pipeline'] = []
    return dataset_image_paths(DATASETS.build(dataset))


def unreadable_message(bad: Sequence[Tuple[str, str]], total: int, shown: int = 10) -> str:
    """``N of M images are unreadable:`` and the first ``shown`` of them with their reasons."""
    lines = [f'  {path}: {reason}' for path, reason in bad[:shown]]
    more = [f'  ... and {len(bad) - shown} more'] if len(bad) > shown else []
    return '\n'.join([f'{len(bad)} of {total} images are unreadable:'] + lines + more)

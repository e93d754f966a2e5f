"""Opt-in policy for long runs: an unreadable image is skipped with a warning and a count,
instead of ending the run with a data-worker traceback when it is first sampled."""
import os
from typing import Optional

from mmcv.transforms import LoadImageFromFile
from mmengine.logging import print_log
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadImageOrSkip(LoadImageFromFile):
    """``LoadImageFromFile`` (same arguments) that returns None for an image it cannot read
    or decode, after logging the file, the reason and how many this process has skipped.

    mmengine's ``BaseDataset.__getitem__`` then draws another image (``max_refetch`` tries), so
    training goes on; nothing is skipped silently. Switched on for every train pipeline by
    ``tools/train.py --skip-unreadable``; ``tools/misc/verify_dataset.py`` (or
    ``tools/train.py --verify-data``) lists the unreadable files before a run.

    Only a training dataset should use it: in ``test_mode`` mmengine raises on None instead of
    drawing another sample, so evaluation keeps failing loudly on a broken file.
    """

    skipped = 0     # per process (each data worker counts its own)

    def transform(self, results: dict) -> Optional[dict]:
        try:
            out = super().transform(results)
        except Exception as exc:   # noqa: BLE001 - any decode failure is a skip
            reason = f'{type(exc).__name__}: {exc}'
        else:
            if out is not None:
                return out
            reason = 'empty or missing file'
        LoadImageOrSkip.skipped += 1
        print_log(f'LoadImageOrSkip: skipped unreadable image {results.get("img_path")!r} '
                  f'({reason.splitlines()[0][:200]}); {LoadImageOrSkip.skipped} skipped so far '
                  f'in process {os.getpid()}', logger='current', level=30)
        return None

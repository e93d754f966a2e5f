"""Which checkpoint ``--resume`` continues from: the work dir's last one if readable, else the
newest readable one, resolved inside the work dir even when it was moved."""
import glob
import os.path as osp
import zipfile
from typing import List, Optional, Tuple


def is_readable_checkpoint(path: str) -> bool:
    """A complete ``torch.save`` archive (its zip directory, written last, is present)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return len(archive.namelist()) > 0
    except (OSError, zipfile.BadZipFile):
        return False


def find_resume_checkpoint(work_dir: str) -> Tuple[Optional[str], List[str]]:
    """(checkpoint to resume from or None, warnings to print).

    ``work_dir/last_checkpoint`` names the last save by absolute path; when that path no
    longer exists (a copied or moved work dir) or lies outside ``work_dir``, the file of
    the same name inside ``work_dir`` is used. When the named checkpoint is missing or
    unreadable (a run killed while writing it), the newest readable ``*.pth`` of
    ``work_dir`` is used instead, with a warning.
    """
    notes: List[str] = []
    named = None
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            recorded = f.read().strip()
        local = osp.join(work_dir, osp.basename(recorded))
        inside = osp.abspath(recorded).startswith(osp.abspath(work_dir) + osp.sep)
        named = recorded if osp.isfile(recorded) and inside else local
        if named != recorded:
            notes.append(f'last_checkpoint names {recorded}, which is not in this work dir '
                         f'(moved or copied?): using {named}')
        if is_readable_checkpoint(named):
            return named, notes
        notes.append(f'{named} is missing or unreadable (killed while saving?)')
    candidates = sorted(glob.glob(osp.join(work_dir, '*.pth')), key=osp.getmtime,
                        reverse=True)
    for path in candidates:
        if is_readable_checkpoint(path):
            if named is not None:
                notes.append(f'resuming from the newest readable checkpoint {path} instead')
            return path, notes
    return None, notes

from .atomic_local_backend import AtomicLocalBackend
from .resume_checkpoint import find_resume_checkpoint, is_readable_checkpoint

__all__ = ['AtomicLocalBackend', 'find_resume_checkpoint', 'is_readable_checkpoint']

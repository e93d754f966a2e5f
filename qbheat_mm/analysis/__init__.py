from .madds import count_madds

__all__ = ['count_madds']

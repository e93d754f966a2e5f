from .qbheat import QBHeat

__all__ = ['QBHeat']

from .lewel import LEWEL
from .lewel_m import LEWELM
from .qbheat import QBHeat

__all__ = ['LEWEL', 'LEWELM', 'QBHeat']

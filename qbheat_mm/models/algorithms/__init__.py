from .bagssl import BagSSL
from .gtsa import GTSA
from .lewel import LEWEL
from .lewel_m import LEWELM
from .qbheat import QBHeat
from .vicreg import VICReg

__all__ = ['BagSSL', 'GTSA', 'LEWEL', 'LEWELM', 'QBHeat', 'VICReg']

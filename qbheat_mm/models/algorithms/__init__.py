from .bagssl import BagSSL
from .lewel import LEWEL
from .lewel_m import LEWELM
from .qbheat import QBHeat
from .vicreg import VICReg

__all__ = ['BagSSL', 'LEWEL', 'LEWELM', 'QBHeat', 'VICReg']

from .vicreg_lars import VICRegLARS

__all__ = ['VICRegLARS']

from .vicreg_loss import VICRegLoss

__all__ = ['VICRegLoss']

from .image_batch import load_image_batch
from .reconstruction_grid import COLUMNS, reconstruction_grid, save_png

__all__ = ['COLUMNS', 'load_image_batch', 'reconstruction_grid', 'save_png']

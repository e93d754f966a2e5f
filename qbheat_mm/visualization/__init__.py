from .image_batch import find_images, load_image_batch
from .reconstruction_grid import COLUMNS, NOTE, VIEWS, reconstruction_grid, save_png

__all__ = ['COLUMNS', 'NOTE', 'VIEWS', 'find_images', 'load_image_batch', 'reconstruction_grid',
           'save_png']

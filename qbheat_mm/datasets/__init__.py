from .data_root_check import check_data_roots

__all__ = ['check_data_roots']

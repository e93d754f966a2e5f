from .analysis_report import write_analysis
from .config_walk import nested_dicts
from .launcher import (add_common_args, default_mmpretrain_collate, load_config,
                       setup_cpu_distributed)

__all__ = ['add_common_args', 'default_mmpretrain_collate', 'load_config', 'nested_dicts',
           'setup_cpu_distributed', 'write_analysis']

from .invalid_loss_stop_hook import InvalidLossStopHook
from .normalization_check_hook import NormalizationCheckHook
from .qbheat_visualization_hook import QBHeatVisualizationHook

__all__ = ['InvalidLossStopHook', 'NormalizationCheckHook', 'QBHeatVisualizationHook']

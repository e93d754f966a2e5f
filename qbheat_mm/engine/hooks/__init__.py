from .invalid_loss_stop_hook import InvalidLossStopHook
from .qbheat_visualization_hook import QBHeatVisualizationHook

__all__ = ['InvalidLossStopHook', 'QBHeatVisualizationHook']

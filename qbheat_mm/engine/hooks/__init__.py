from .empty_detection_result_hook import EmptyDetectionResultHook, empty_result_message
from .invalid_loss_stop_hook import InvalidLossStopHook
from .normalization_check_hook import NormalizationCheckHook
from .qbheat_visualization_hook import QBHeatVisualizationHook

__all__ = ['EmptyDetectionResultHook', 'empty_result_message', 'InvalidLossStopHook',
           'NormalizationCheckHook', 'QBHeatVisualizationHook']

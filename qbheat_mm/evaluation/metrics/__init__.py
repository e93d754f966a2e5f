from .knn_accuracy import KNNAccuracy, weighted_knn

__all__ = ['KNNAccuracy', 'weighted_knn']

from .bag_of_patches_classifier import BagOfPatchesClassifier

__all__ = ['BagOfPatchesClassifier']

# Bag-of-patches linear probe of a ResNet-50 checkpoint (BagSSL's 32x32 setting): mean over 16
# grid patches of 32 px of the 224 image, each resized to 224 before the frozen backbone. The rest
# is the LEWEL/official ResNet-50 linear-probe recipe.
_base_ = '../../lewel/benchmarks/resnet50_linear-probe_8xb32-steplr-50e_in1k.py'
model = dict(
    type='BagOfPatchesClassifier',
    patch_size=32,
    num_patches=16,
    mode='grid',
    input_size=224,
    neck=None)

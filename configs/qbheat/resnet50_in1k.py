# QB-Heat pretraining of mmpretrain's ResNet-50 on ImageNet-1k ("MIM for CNNs"), 8 GPUs x 256.
# 256 crops: the visible 128x128 quarter gives a 4x4 map of 2048 channels at stride 32, which the
# heat neck extrapolates to 8x8 (A, B: 2048 x 2048 each).
#   tools/dist_train.sh configs/qbheat/resnet50_in1k.py 8
_base_ = './mobileformer_in1k.py'
model = dict(
    backbone=dict(_delete_=True, type='ResNet', depth=50, out_indices=(3, ),
                  norm_cfg=dict(type='SyncBN'), zero_init_residual=False),
    neck=dict(in_channels=2048),
    head=dict(decoder=dict(in_channels=2048)))

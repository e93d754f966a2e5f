# QB-Heat pretraining of mmpretrain's ConvNeXt-T on ImageNet-1k, 8 GPUs x 256: the stride-32 map
# before the final pooling (768 channels, 4x4 for the 128x128 visible quarter).
#   tools/dist_train.sh configs/qbheat/convnext-tiny_in1k.py 8
_base_ = './mobileformer_in1k.py'
model = dict(
    backbone=dict(_delete_=True, type='ConvNeXt', arch='tiny', out_indices=(3, ),
                  gap_before_final_norm=False, drop_path_rate=0.1),
    neck=dict(in_channels=768),
    head=dict(decoder=dict(in_channels=768)))

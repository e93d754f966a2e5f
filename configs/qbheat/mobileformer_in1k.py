# QB-Heat pretraining of Mobile-Former MF-294M on ImageNet-1k, 8 GPUs x 256 = 2048 per step.
#   tools/dist_train.sh configs/qbheat/mobileformer_in1k.py 8
_base_ = [
    '../_base_/models/qbheat_mobileformer-294m.py',
    '../_base_/datasets/imagenet_bs256_qbheat.py',
    '../_base_/schedules/adamw_coslr_qbheat.py',
    '../_base_/default_runtime.py',
]
default_hooks = dict(logger=dict(interval=100))
custom_hooks = [
    dict(type='InvalidLossStopHook'),
    dict(type='QBHeatVisualizationHook', interval=5000, num_images=4),
]

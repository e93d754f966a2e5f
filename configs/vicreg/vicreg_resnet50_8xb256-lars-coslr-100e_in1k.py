# VICReg on ResNet-50, ImageNet-1k, batch 2048, 100 epochs (BagSSL's machinery with n = 2 views).
#   tools/dist_train.sh configs/vicreg/vicreg_resnet50_8xb256-lars-coslr-100e_in1k.py 8
_base_ = [
    '../_base_/models/vicreg_resnet50.py',
    '../_base_/datasets/imagenet_bs256_vicreg.py',
    '../_base_/schedules/lars_coslr_vicreg.py',
    '../_base_/default_runtime.py',
]
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=10, max_keep_ckpts=3))

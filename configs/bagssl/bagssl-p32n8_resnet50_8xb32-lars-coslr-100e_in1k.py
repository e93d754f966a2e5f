# BagSSL on ResNet-50, ImageNet-1k: bags of 8 random 32x32 patches of the 224 view (the paper's
# 32x32 setting, 62 % linear top-1; not reproduced here), each resized to 224 (design choice),
# intra-instance VICReg. 8 GPUs x 32 images x 8 patches = 2048 patches per step.
#   tools/dist_train.sh configs/bagssl/bagssl-p32n8_resnet50_8xb32-lars-coslr-100e_in1k.py 8
_base_ = [
    '../_base_/models/vicreg_resnet50.py',
    '../_base_/datasets/imagenet_bagssl.py',
    '../_base_/schedules/lars_coslr_vicreg.py',
    '../_base_/default_runtime.py',
]
model = dict(type='BagSSL')
train_dataloader = dict(batch_size=32)
optim_wrapper = dict(optimizer=dict(lr=0.2 * 256 / 256))
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=10, max_keep_ckpts=3))

# BagSSL on Mobile-Former MF-294M at low patch resolution: bags of 16 random 64x64 patches of the
# 224 view, fed at 64 px (no upsampling; a 2x2 map at stride 32), so a bag costs 16 x 64^2 =
# 1.3 x the pixels of one 224 view. Expander 2048-2048-2048.
#   tools/dist_train.sh \
#       configs/bagssl/bagssl-p64n16_mobileformer-294m_8xb64-lars-coslr-100e_in1k.py 8
_base_ = [
    '../_base_/models/vicreg_resnet50.py',
    '../_base_/datasets/imagenet_bagssl.py',
    '../_base_/schedules/lars_coslr_vicreg.py',
    '../_base_/default_runtime.py',
]
num_patches = 16
patch_size = 64
model = dict(
    type='BagSSL',
    backbone=dict(_delete_=True, type='MobileFormer', arch='294m', out_indices=(4, )),
    neck=dict(in_channels=192, hid_channels=2048, out_channels=2048))
train_dataloader = dict(batch_size=64, dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='MultiView', num_views=num_patches, transforms=[[
        dict(type='RandomPatchCrop', patch_size=patch_size),
        dict(type='Compose', transforms={{_base_.patch_augment}})]]),
    dict(type='PackInputs'),
]))
optim_wrapper = dict(optimizer=dict(lr=0.2 * 512 / 256))
auto_scale_lr = dict(base_batch_size=512)

# CPU demo: BagSSL on MF-26M over ../shared/data/imagenette-mini/train (labels unused): bags of
# 8 random 64x64 patches of each 224 image, fed at 64 px (2x2 maps), batch 16, 200 iterations.
#   python tools/train.py configs/bagssl/bagssl-p64n8_mobileformer-26m_demo.py
# Any ImageNet-layout folder: --cfg-options train_dataloader.dataset.data_root=PATH
_base_ = [
    '../_base_/models/vicreg_resnet50.py',
    '../_base_/datasets/imagenet_bagssl.py',
    '../_base_/cpu_demo_runtime.py',
]
num_patches = 8
max_iters = 200
model = dict(
    type='BagSSL',
    backbone=dict(_delete_=True, type='MobileFormer', arch='26m', out_indices=(4, )),
    neck=dict(in_channels=96, hid_channels=512, out_channels=512, norm_cfg=dict(type='BN1d')))
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(data_root='../shared/data/imagenette-mini', pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='ResizeEdge', scale=224, edge='short', backend='pillow',
             interpolation='bicubic'),
        dict(type='CenterCrop', crop_size=224),
        dict(type='MultiView', num_views=num_patches, transforms=[[
            dict(type='RandomPatchCrop', patch_size=64),
            dict(type='Compose', transforms={{_base_.patch_augment}})]]),
        dict(type='PackInputs'),
    ]))
optim_wrapper = dict(optimizer=dict(weight_decay=1e-6))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_iters - 20, by_epoch=False, begin=20,
         end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)

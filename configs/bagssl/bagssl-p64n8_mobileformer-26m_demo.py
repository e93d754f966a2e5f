# CPU demo: BagSSL on MF-26M over ../shared/data/imagenette-mini/train (labels unused): bags of
# 8 random 64x64 patches of each 224 image, fed at 64 px (2x2 maps), batch 16, 200 iterations.
#   python tools/train.py configs/bagssl/bagssl-p64n8_mobileformer-26m_demo.py
# Any ImageNet-layout folder: --cfg-options train_dataloader.dataset.data_root=PATH
_base_ = [
    '../_base_/models/vicreg_resnet50.py',
    '../_base_/datasets/imagenet_bagssl.py',
    '../_base_/default_runtime.py',
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
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=0.3, momentum=0.9, weight_decay=1e-6),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, custom_keys={
        'bn': dict(decay_mult=0, lars_exclude=True),
        'bias': dict(decay_mult=0, lars_exclude=True),
        'backbone.tokens': dict(decay_mult=0, lars_exclude=True)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_iters - 20, by_epoch=False, begin=20,
         end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=100, by_epoch=False, max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)

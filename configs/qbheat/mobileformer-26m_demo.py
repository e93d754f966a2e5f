# CPU demo (make demo): QB-Heat on MF-26M, 192x192 crops of a few real photos, 300 iterations.
# The visible quarter is 96x96 -> a 3x3 map at stride 32, extrapolated to 6x6.
# Data: data/qbheat_demo/train/<folder>/*.png, written by tools/misc/make_demo_dataset.py.
_base_ = [
    '../_base_/models/qbheat_mobileformer-294m.py',
    '../_base_/datasets/imagenet_bs256_qbheat.py',
    '../_base_/default_runtime.py',
]
img_size = 192
model = dict(
    backbone=dict(arch='26m'),
    neck=dict(in_channels=96, diagnostics_interval=10),  # the logger's interval below
    head=dict(decoder=dict(in_channels=96, embed_dims=128, depth=2, num_heads=4)))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=(0.2, 1.0),
         backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(type='CustomDataset', data_root='data/qbheat_demo', data_prefix='train',
                 with_label=False, pipeline=train_pipeline, _delete_=True))

max_iters = 300
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.95), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'backbone.tokens': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=20),
    dict(type='CosineAnnealingLR', T_max=max_iters - 20, by_epoch=False, begin=20,
         end=max_iters, eta_min=1e-5),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
auto_scale_lr = dict(base_batch_size=16)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=100, by_epoch=False, max_keep_ckpts=2))
custom_hooks = [
    dict(type='InvalidLossStopHook'),
    dict(type='QBHeatVisualizationHook', interval=100, num_images=4),
]
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)

# Supervised Mobile-Former MF-96M on ImageNet-1k, the authors' recipe for this variant.
_base_ = './mobileformer-294m_8xb128_in1k.py'
model = dict(
    backbone=dict(arch='96m'),
    head=dict(arch='96m', dropout=0.2),
    train_cfg=dict(_delete_=True, augments=None))
optim_wrapper = dict(optimizer=dict(lr=8e-4, weight_decay=0.10))
train_dataloader = dict(dataset=dict(pipeline=[  # no random erasing for this variant
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2, total_level=10,
         magnitude_level=9, magnitude_std=0.5,
         hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
    dict(type='PackInputs'),
]))

# MoCo-v2 baseline on the same MF-294M with stock mmpretrain components (MoCo, MoCoV2Neck,
# ContrastiveHead, the stock MoCo-v2 augmentations and schedule); only the backbone changes.
#   tools/dist_train.sh configs/mocov2/mocov2_mobileformer-294m_8xb32-coslr-200e_in1k.py 8
_base_ = 'mmpretrain::mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)
model = dict(
    backbone=dict(_delete_=True, type='MobileFormer', arch='294m', out_indices=(4, )),
    neck=dict(in_channels=192))

# The stock view pipeline with one substitution: mmcv 2.1.0's hue shift crashes under NumPy 2
# for negative hue factors, so ColorJitter becomes HueSafeColorJitter (same arguments).
view_augment = [
    dict(type='RandomApply', prob=0.8, transforms=[
        dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4, saturation=0.4,
             hue=0.1)]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.5),
    dict(type='RandomFlip', prob=0.5),
]
view_pipeline = [
    dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.2, 1.), backend='pillow'),
    *view_augment,
]
train_dataloader = dict(
    # a cross-package base tags collate_fn with _scope_, which default_collate refuses
    collate_fn=dict(_delete_=True, type='default_collate'),
    # labels unused: any folder of images under data/imagenet/train (no meta/, any classes)
    dataset=dict(_delete_=True, type='CustomDataset', data_root='data/imagenet/',
                 data_prefix='train', with_label=False, pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
        dict(type='PackInputs'),
    ]))

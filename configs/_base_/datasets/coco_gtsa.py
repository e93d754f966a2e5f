# Scene images without labels for GTSA (official: COCO train2017 or ADE20K train, images only):
# 2 global 224 px crops (scale 0.3-1) + 8 local 96 px crops (scale 0.1-0.3) that overlap every
# global crop, per-crop colour augmentation, then a random quarter turn per crop (no flip, no
# solarisation). Layout: data/coco/train2017/*.jpg (any folder of images works).
dataset_type = 'CustomDataset'
data_root = 'data/coco/train2017'
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
# HueSafeColorJitter = mmpretrain's ColorJitter, safe under NumPy 2 (see its docstring)
color_augment = [
    dict(type='RandomApply', prob=0.8, transforms=[dict(
        type='HueSafeColorJitter', brightness=0.8, contrast=0.8, saturation=0.8, hue=0.2)]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.2),
]
multi_crop = dict(
    type='GTSAMultiCrop',
    num_global=2, num_local=8, global_size=224, local_size=96,
    global_scale=(0.3, 1.0), local_scale=(0.1, 0.3),
    min_overlap=0.01, min_global_overlap=0.02,
    interpolation='bilinear', backend='pillow',
    global_transforms=color_augment)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    multi_crop,
    dict(type='PackInputs', algorithm_keys=['gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot']),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=10,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    drop_last=True,   # the official loader drops the last partial batch
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, with_label=False,
                 pipeline=train_pipeline))

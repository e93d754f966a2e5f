# ImageNet-1k classification at 224 for Mobile-Former (the authors' timm recipe): bicubic
# RandomResizedCrop + flip, RandAugment rand-m9-mstd0.5, random erasing (pixel mode);
# evaluation as imagenet_bs128_224.py (resize 256, crop_pct 0.875, centre crop 224).
_base_ = './imagenet_bs128_224.py'
bgr_mean = [103.53, 116.28, 123.675]
bgr_std = [57.375, 57.12, 58.395]
# variants trained without random erasing (96M, 52M, 26M) use this one
train_pipeline_no_erasing = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=224, backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandAugment', policies='timm_increasing', num_policies=2, total_level=10,
         magnitude_level=9, magnitude_std=0.5,
         hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
    dict(type='PackInputs'),
]
train_pipeline = train_pipeline_no_erasing[:-1] + [
    dict(type='RandomErasing', erase_prob=0.2, mode='rand', min_area_ratio=0.02,
         max_area_ratio=1 / 3, fill_color=bgr_mean, fill_std=bgr_std),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

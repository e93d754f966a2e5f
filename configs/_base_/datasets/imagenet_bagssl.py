# ImageNet-1k bags of fixed-scale patches for BagSSL (labels unused): the image is resized to a
# 224 view (short side 256, centre crop), then n patches of patch_size px are drawn at random
# positions, each resized to input_size and augmented independently (EMP-SSL's augmentations:
# flip, colour jitter (0.4, 0.4, 0.4, 0.2) p 0.8, grayscale 0.2, blur 0.2, solarize 0.1).
_base_ = './imagenet_bs32_lewel.py'
num_patches = 8
patch_size = 32
input_size = 224
# per-patch augmentation; configs with other patch sizes reuse it as
# dict(type='Compose', transforms={{_base_.patch_augment}}) after their own RandomPatchCrop
patch_augment = [
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomApply', prob=0.8, transforms=[dict(
        type='HueSafeColorJitter', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.2)]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=0.2),
    dict(type='Solarize', thr=128, prob=0.1),
]
patch_pipeline = [dict(type='RandomPatchCrop', patch_size=patch_size, output_size=input_size),
                  *patch_augment]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='MultiView', num_views=num_patches, transforms=[patch_pipeline]),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

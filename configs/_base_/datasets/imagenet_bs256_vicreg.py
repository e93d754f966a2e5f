# ImageNet-1k for VICReg (labels unused): two views, RandomResizedCrop 224 (scale 0.08-1),
# flip, colour jitter (0.4, 0.4, 0.2, 0.1) p 0.8, grayscale 0.2, blur 1.0 / 0.1, solarize 0 / 0.2.
_base_ = './imagenet_bs32_lewel.py'
crop = dict(type='RandomResizedCrop', scale=224, crop_ratio_range=(0.08, 1.0), backend='pillow',
            interpolation='bicubic')
rest = [
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomApply', prob=0.8, transforms=[dict(
        type='HueSafeColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
]
view_pipeline1 = [crop, *rest, dict(type='GaussianBlur', magnitude_range=(0.1, 2.0),
                                    magnitude_std='inf', prob=1.0)]
view_pipeline2 = [crop, *rest,
                  dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf',
                       prob=0.1),
                  dict(type='Solarize', thr=128, prob=0.2)]
train_dataloader = dict(batch_size=256, dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs'),
]))

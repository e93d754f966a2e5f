# ImageNet-1k for LEWEL (labels unused): the official BYOL-style asymmetric view pair
# (LayneH/LEWEL data/transforms.py) with RandomResizedCrop scale (0.2, 1.0), not BYOL's 0.08.
# Layout: data/imagenet/train/<class>/*.JPEG (or data/imagenet/meta/train.txt).
# labels are unused: every image under <data_root>/train (class folders or not, any count, no
# meta/ needed) is read; any other folder of images: data_root=FOLDER data_prefix=''
dataset_type = 'CustomDataset'
data_root = 'data/imagenet/'
img_size = 224
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)


def _view(blur_prob, solarize_prob, size=img_size):
    # HueSafeColorJitter = mmpretrain's ColorJitter, safe under NumPy 2 (see its docstring)
    return [
        dict(type='RandomResizedCrop', scale=size, crop_ratio_range=(0.2, 1.0),
             backend='pillow', interpolation='bilinear'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='RandomApply', prob=0.8, transforms=[dict(
            type='HueSafeColorJitter', brightness=0.4, contrast=0.4, saturation=0.2,
            hue=0.1)]),
        dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
             channel_weights=(0.114, 0.587, 0.2989)),
        dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf',
             prob=blur_prob),
        dict(type='Solarize', thr=128, prob=solarize_prob),
    ]


view_pipeline1 = _view(1.0, 0.0)
view_pipeline2 = _view(0.1, 0.2)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=[1, 1], transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix='train', with_label=False,
                 pipeline=train_pipeline))

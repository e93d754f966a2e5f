# ImageNet-1k for QB-Heat pretraining (labels unused). Layout: data/imagenet/train/<class>/*.JPEG
# (or data/imagenet/meta/train.txt). Pretraining size 256: the visible quarter is 128x128, a 4x4
# map at stride 32, extrapolated to 8x8 (224 does not tile at stride 32; see docs).
# labels are unused: every image under <data_root>/train (class folders or not, any count, no
# meta/ needed) is read; any other folder of images: data_root=FOLDER data_prefix=''
dataset_type = 'CustomDataset'
data_root = 'data/imagenet/'
img_size = 256

data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),  # grayscale files are read as 3-channel colour
    dict(type='RandomResizedCrop', scale=img_size, crop_ratio_range=(0.2, 1.0),
         backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=256,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root, data_prefix='train', with_label=False,
                 pipeline=train_pipeline))

# VICReg (official recipe) in the public Imagenette protocol: ResNet-18, 128 px views, expander
# 2048-2048-2048, batch 256 (VICRegLARS, lr 0.2 x 256 / 256, 10 warm-up epochs), 200 epochs, kNN
# k = 200 / t = 0.1 on the val split every 10 epochs, best epoch kept. Published in this setting
# (160 px images resized to 128): VICReg 76.3 % at 200 epochs, 84.5 % at 800. One command:
#   python tools/train.py configs/vicreg/vicreg_resnet18_1xb256-200e_imagenette-128px.py
_base_ = ['./vicreg_resnet50_8xb256-lars-coslr-100e_in1k.py',
          '../_base_/evaluation/knn_imagenette_public.py']
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=2048, out_channels=2048,
              norm_cfg=dict(type='BN1d')))


def view(blur, solarize):
    return [
        dict(type='RandomResizedCrop', scale=128, crop_ratio_range=(0.08, 1.0),
             backend='pillow', interpolation='bicubic'),
        dict(type='RandomFlip', prob=0.5),
        dict(type='RandomApply', prob=0.8, transforms=[dict(
            type='HueSafeColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)]),
        dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
             channel_weights=(0.114, 0.587, 0.2989)),
        dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=blur),
        dict(type='Solarize', thr=128, prob=solarize),
    ]


train_dataloader = dict(
    batch_size=256, num_workers=8,
    dataset=dict(data_root='../shared/data/imagenette',
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='MultiView', num_views=[1, 1],
                                transforms=[view(1.0, 0.0), view(0.1, 0.2)]),
                           dict(type='PackInputs')]))
max_epochs = 200
optim_wrapper = dict(optimizer=dict(lr=0.2 * 256 / 256))
param_scheduler = [
    dict(type='WarmupCosineLR', warmup=10, eta_min_ratio=0.001, by_epoch=True, begin=0,
         end=max_epochs, convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=256)
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2, save_best='knn/top1',
                                     rule='greater'))

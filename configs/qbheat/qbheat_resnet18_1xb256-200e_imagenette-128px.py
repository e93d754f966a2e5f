# QB-Heat in the public Imagenette protocol: ResNet-18, 128 px crops (the visible 64 px quarter
# gives a 2 x 2 map at stride 32, extrapolated to 4 x 4), batch 256, 200 epochs, kNN k = 200 /
# t = 0.1 on the val split every 10 epochs, best epoch kept. One command:
#   python tools/train.py configs/qbheat/qbheat_resnet18_1xb256-200e_imagenette-128px.py
_base_ = ['./resnet50_in1k.py', '../_base_/evaluation/knn_imagenette_public.py']
data_root = '../shared/data/imagenette'
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512),
    head=dict(decoder=dict(in_channels=512)))
train_dataloader = dict(
    batch_size=256, num_workers=8,
    dataset=dict(data_root=data_root,
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='RandomResizedCrop', scale=128, crop_ratio_range=(0.2, 1.0),
                                backend='pillow', interpolation='bicubic'),
                           dict(type='RandomFlip', prob=0.5),
                           dict(type='PackInputs')]))
max_epochs = 200
optim_wrapper = dict(optimizer=dict(lr=1.5e-4 * 256 / 256))   # the MAE rule at batch 256
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 10, eta_min=0.0, by_epoch=True,
         begin=10, end=max_epochs, convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=256)
train_cfg = dict(max_epochs=max_epochs, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2, save_best='knn/top1',
                                     rule='greater'))

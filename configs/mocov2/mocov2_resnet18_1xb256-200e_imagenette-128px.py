# Stock mmpretrain MoCo-v2 in the public Imagenette protocol: ResNet-18, 128 px views, batch 256,
# 200 epochs (the stock schedule: SGD lr 0.03 at batch 256, cosine), kNN k = 200 / t = 0.1 on the
# val split every 10 epochs, best epoch kept. Published in this setting (160 px images resized to
# 128): MoCo 78.6 % at 200 epochs, 87.4 % at 800. One command:
#   python tools/train.py configs/mocov2/mocov2_resnet18_1xb256-200e_imagenette-128px.py
_base_ = ['./mocov2_mobileformer-294m_8xb32-coslr-200e_in1k.py',
          '../_base_/evaluation/knn_imagenette_public.py']
model = dict(
    backbone=dict(_delete_=True, type='ResNet', depth=18, out_indices=(3, ),
                  norm_cfg=dict(type='BN'), zero_init_residual=False),
    neck=dict(in_channels=512))
view_pipeline = [
    dict(type='RandomResizedCrop', scale=128, crop_ratio_range=(0.2, 1.), backend='pillow'),
    dict(type='Compose', transforms={{_base_.view_augment}}),   # the stock augmentations
]
train_dataloader = dict(
    batch_size=256, num_workers=8,
    dataset=dict(_delete_=True, type='CustomDataset', data_root='../shared/data/imagenette',
                 data_prefix='train', with_label=False,
                 pipeline=[dict(type='LoadImageFromFile'),
                           dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
                           dict(type='PackInputs')]))
auto_scale_lr = dict(base_batch_size=256)
train_cfg = dict(max_epochs=200, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=2, save_best='knn/top1',
                                     rule='greater'))

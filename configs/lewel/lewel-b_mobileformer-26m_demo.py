# CPU demo: LEWEL_B on MF-26M over ../shared/data/imagenette-mini/train (labels unused),
# 224 crops (7x7 map), batch 16, 300 iterations (about 3.5 minutes on 2 cores).
#   python tools/train.py configs/lewel/lewel-b_mobileformer-26m_demo.py
# Any ImageNet-layout folder: --cfg-options train_dataloader.dataset.data_root=PATH
_base_ = [
    '../_base_/models/lewel-b_resnet50.py',
    '../_base_/datasets/imagenet_bs32_lewel.py',
    '../_base_/cpu_demo_runtime.py',
]
max_iters = 300
# BYOL target (batch-statistics BN, tau_0 = 0.996): on 400 images at batch 16 the EMAN target of
# the ImageNet recipes collapsed here (loss 3.9 -> 0.001 within 140 iterations, see README).
model = dict(
    base_momentum=0.004,
    eman=False,
    backbone=dict(_delete_=True, type='MobileFormer', arch='26m', out_indices=(4, )),
    neck=dict(in_channels=96, hid_channels=512, out_channels=64, norm_cfg=dict(type='BN1d')),
    head=dict(in_channels=64, hid_channels=512, norm_cfg=dict(type='BN1d')))
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(data_root='../shared/data/imagenette-mini'))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=30),
    dict(type='CosineAnnealingLR', T_max=max_iters - 30, by_epoch=False, begin=30,
         end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)

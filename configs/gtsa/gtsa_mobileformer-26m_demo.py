# CPU demo: GTSA on MF-26M over the 128 images of ../shared/data/coco128/train2017 (no labels),
# 2 x 128 px global + 4 x 64 px local crops (8 x 8 and 4 x 4 stride-16 maps), batch 16,
# 200 iterations (a few minutes on 2 cores); the correspondence loss starts at iteration 50.
#   python tools/train.py configs/gtsa/gtsa_mobileformer-26m_demo.py
# Any folder of images: --cfg-options train_dataloader.dataset.data_root=PATH
_base_ = [
    '../_base_/models/gtsa_vit-small-p16.py',
    '../_base_/datasets/coco_gtsa.py',
    '../_base_/cpu_demo_runtime.py',
]
max_iters = 200
warmup_iters = 20
model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    eval_teacher=False,
    pc_warmup_iters=50,
    backbone=dict(_delete_=True, type='MobileFormer', arch='26m', out_indices=(3, 4)),
    neck=dict(in_channels=64, hid_channels=128, out_channels=128, depthwise=True),
    predictor=dict(in_channels=128, hid_channels=128, out_channels=128, depthwise=True),
    head=dict(roi_sizes=(5, 3), topk=(32, 8), large_positions=32),
    rotation_head=dict(hid_channels=128, bottleneck_channels=64))
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(data_root='../shared/data/coco128/train2017', pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='GTSAMultiCrop', num_global=2, num_local=4, global_size=128, local_size=64,
             global_scale=(0.3, 1.0), local_scale=(0.1, 0.3),
             global_transforms={{_base_.color_augment}}),
        dict(type='PackInputs',
             algorithm_keys=['gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot']),
    ]))
# the ViT-S recipe's AdamW, clipping and weight-decay schedule, over iterations
optim_wrapper = dict(
    _delete_=True, type='PerParamClipOptimWrapper', clip_grad=dict(max_norm=3.0),
    constructor='TrainableOnlyOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.04),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'backbone.tokens': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', T_max=max_iters - warmup_iters, eta_min=1e-6,
         by_epoch=False, begin=warmup_iters, end=max_iters),
    dict(type='CosineAnnealingParamScheduler', param_name='weight_decay', eta_min_ratio=10.,
         by_epoch=False, begin=0, end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)

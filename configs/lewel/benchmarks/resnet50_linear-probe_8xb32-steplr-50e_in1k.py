# Linear probe of a frozen LEWEL ResNet-50, the official protocol (LayneH/LEWEL): GAP features ->
# linear classifier, SGD lr 0.4 at batch 256, momentum 0.9, no weight decay, 50 epochs with the
# lr divided by 10 at epochs 30 and 40.
#   tools/dist_train.sh configs/lewel/benchmarks/resnet50_linear-probe_8xb32-steplr-50e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/<lewel run>/epoch_100.pth
_base_ = [
    '../../_base_/datasets/imagenet_bs128_224.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet', depth=50, frozen_stages=4, norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes={{_base_.num_classes}}, in_channels=2048,
              loss=dict(type='CrossEntropyLoss'), topk=(1, 5),
              init_cfg=dict(type='Normal', std=0.01, layer='Linear')))
train_dataloader = dict(batch_size=32)
val_dataloader = dict(batch_size=64)
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.4, momentum=0.9, weight_decay=0.))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[30, 40], gamma=0.1)]
train_cfg = dict(by_epoch=True, max_epochs=50, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))

# Linear probe of a frozen MF-294M (weights and BN statistics frozen): global-average-pooled
# stride-32 map + the first global token -> BatchNorm without affine -> Linear (MoCo-v3's CNN
# recipe: SGD, lr 0.4 at batch 1024, no weight decay, cosine 90 epochs).
#   tools/dist_train.sh configs/qbheat/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../epoch_800.pth
# The same config probes MoCo-v2 and supervised checkpoints (only the checkpoint changes).
_base_ = [
    '../../_base_/datasets/imagenet_bs128_224.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='MobileFormer', arch='294m', out_indices=(4, ), return_tokens=True,
        frozen_stages=4, norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=[
        dict(type='PoolTokenNeck', with_token=True),      # 192 + 192 features
        dict(type='ClsBatchNormNeck', input_features=384),
    ],
    head=dict(type='LinearClsHead', num_classes={{_base_.num_classes}}, in_channels=384,
              loss=dict(type='CrossEntropyLoss'), topk=(1, 5),
              init_cfg=dict(type='Normal', std=0.01, layer='Linear')))

optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.4, momentum=0.9, weight_decay=0.))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=0, end=90)]
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=1024)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))

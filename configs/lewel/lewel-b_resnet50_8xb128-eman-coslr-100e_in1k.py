# LEWEL_B with an EMAN target on ResNet-50, the official 100-epoch recipe (71.9 % linear top-1
# reported by LayneH/LEWEL; not reproduced here).
#   tools/dist_train.sh configs/lewel/lewel-b_resnet50_8xb128-eman-coslr-100e_in1k.py 8
_base_ = [
    '../_base_/models/lewel-b_resnet50.py',
    '../_base_/datasets/imagenet_bs32_lewel.py',
    '../_base_/schedules/lars_coslr_lewel.py',
    '../_base_/default_runtime.py',
]
# EMAN: plain BN everywhere, target BN in eval mode with EMA statistics, tau_0 = 0.98
model = dict(
    base_momentum=0.02,
    eman=True,
    backbone=dict(norm_cfg=dict(type='BN')),
    neck=dict(norm_cfg=dict(type='BN1d')),
    head=dict(norm_cfg=dict(type='BN1d')))
train_dataloader = dict(batch_size=128)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=10, max_keep_ckpts=3))

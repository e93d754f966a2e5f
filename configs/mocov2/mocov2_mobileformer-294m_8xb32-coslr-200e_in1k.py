# MoCo-v2 baseline on the same MF-294M with stock mmpretrain components (MoCo, MoCoV2Neck,
# ContrastiveHead, the stock MoCo-v2 data pipeline and schedule); only the backbone changes.
#   tools/dist_train.sh configs/mocov2/mocov2_mobileformer-294m_8xb32-coslr-200e_in1k.py 8
_base_ = 'mmpretrain::mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)
model = dict(
    backbone=dict(_delete_=True, type='MobileFormer', arch='294m', out_indices=(4, )),
    neck=dict(in_channels=192))
# a cross-package base tags collate_fn with _scope_, which default_collate refuses
train_dataloader = dict(collate_fn=dict(_delete_=True, type='default_collate'))

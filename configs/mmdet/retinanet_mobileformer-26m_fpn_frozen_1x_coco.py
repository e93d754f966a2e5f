# RetinaNet + FPN on a frozen Mobile-Former MF-26M (all weights, global tokens and BN statistics
# frozen). The stock mmdet config, with only what the backbone changes. Weights:
#   --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/.../backbone.pth
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='MobileFormer',
        arch='26m',
        out_indices=(1, 2, 3, 4),  # strides 4, 8, 16, 32
        frozen_stages=4,
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(in_channels=[12, 24, 64, 96]))

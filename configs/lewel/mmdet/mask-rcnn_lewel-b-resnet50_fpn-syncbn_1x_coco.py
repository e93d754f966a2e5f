# LEWEL's own detection protocol (LayneH/LEWEL det_configs, there in detectron2): Mask R-CNN
# R50-FPN 1x fine-tuned end to end, SyncBN in the backbone and FPN, no frozen stage, BN in train
# mode. The official EMAN 200-epoch model reports 41.3 AP^b / 37.4 AP^m (not reproduced here).
#   tools/dist_train.sh configs/lewel/mmdet/mask-rcnn_lewel-b-resnet50_fpn-syncbn_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=lewel_r50.pth
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        frozen_stages=-1, norm_eval=False, norm_cfg=norm_cfg,
        init_cfg=dict(_delete_=True, type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(norm_cfg=norm_cfg))

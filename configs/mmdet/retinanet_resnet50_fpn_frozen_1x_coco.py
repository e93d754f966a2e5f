# RetinaNet + FPN on a frozen self-supervised ResNet-50 (QB-Heat, LEWEL, BagSSL, VICReg, ...;
# weights and BN statistics frozen): the stock mmdet config with the backbone's checkpoint and
# freezing changed.
#   tools/dist_train.sh configs/mmdet/retinanet_resnet50_fpn_frozen_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=backbone.pth
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)
custom_hooks = [dict(type='NormalizationCheckHook')]   # pretraining vs detector normalisation
model = dict(backbone=dict(
    frozen_stages=4, norm_eval=True,
    init_cfg=dict(_delete_=True, type='Pretrained', checkpoint='', prefix='backbone.')))

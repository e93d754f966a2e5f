# RetinaNet + FPN on a frozen ConvNeXt-T from QB-Heat pretraining. FrozenStagesConvNeXt is
# mmpretrain's ConvNeXt (same weights and keys) whose frozen_stages=4 also freeze the per-level
# output LayerNorms, which mmpretrain's freezing leaves trainable: no gradient reaches the
# backbone, no optimiser state is kept for it.
#   tools/dist_train.sh configs/mmdet/retinanet_convnext-tiny_fpn_frozen_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=backbone.pth
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)  # registers mmpretrain too
custom_hooks = [dict(type='NormalizationCheckHook')]   # pretraining vs detector normalisation
model = dict(
    backbone=dict(
        _delete_=True, type='FrozenStagesConvNeXt', arch='tiny', out_indices=(0, 1, 2, 3),
        gap_before_final_norm=False, frozen_stages=4,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(in_channels=[96, 192, 384, 768]))

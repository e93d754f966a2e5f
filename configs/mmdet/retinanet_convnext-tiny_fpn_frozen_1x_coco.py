# RetinaNet + FPN on a frozen ConvNeXt-T from QB-Heat pretraining (mmpretrain's ConvNeXt through
# custom imports). frozen_stages=4 freezes the stem, downsampling layers and stages; the per-level
# output LayerNorms stay outside mmpretrain's freezing, so the optimizer gives the whole backbone
# lr 0 and no weight decay (nothing in it changes).
#   tools/dist_train.sh configs/mmdet/retinanet_convnext-tiny_fpn_frozen_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=backbone.pth
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)  # registers mmpretrain too
custom_hooks = [dict(type='NormalizationCheckHook')]   # pretraining vs detector input normalisation
model = dict(
    backbone=dict(
        _delete_=True, type='mmpretrain.ConvNeXt', arch='tiny', out_indices=(0, 1, 2, 3),
        gap_before_final_norm=False, frozen_stages=4,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(in_channels=[96, 192, 384, 768]))
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={
    'backbone': dict(lr_mult=0.0, decay_mult=0.0)}))

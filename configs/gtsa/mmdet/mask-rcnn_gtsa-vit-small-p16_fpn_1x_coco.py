# GTSA's COCO protocol for its ViT-S/16 (bok3948/GTSA downstream/, there on mmdet 2.28): Mask
# R-CNN + FPN fine-tuned end to end, the ViT's blocks 3/5/7/11 turned into strides 4-32 by
# ViTFeaturePyramid, drop-path 0.05, AdamW lr 5e-5, wd 0.05, 12 epochs (steps 8 and 11). The
# official multi-scale DETR-style crop augmentation is replaced by mmdet's 1x pipeline here.
# Official: 35.8 AP^b / 33.5 AP^m after 100 COCO pretraining epochs (not reproduced here).
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/<gtsa vit run>/epoch_100.pth gtsa_vit.pth
#   tools/dist_train.sh configs/gtsa/mmdet/mask-rcnn_gtsa-vit-small-p16_fpn_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=gtsa_vit.pth
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['mmpretrain.models', 'qbheat_mm'], allow_failed_imports=False)
model = dict(
    data_preprocessor=dict(pad_size_divisor=32),
    backbone=dict(
        _delete_=True,
        type='mmpretrain.VisionTransformer',
        arch='deit-small',
        patch_size=16,
        img_size=224,
        out_type='featmap',
        out_indices=(3, 5, 7, 11),
        drop_path_rate=0.05,
        final_norm=False,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(
        _delete_=True,
        type='ViTFeaturePyramid',
        in_channels=384,
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        fpn=dict(type='FPN', out_channels=256, num_outs=5)))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-5, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., custom_keys={
        'pos_embed': dict(decay_mult=0.), 'cls_token': dict(decay_mult=0.)}))

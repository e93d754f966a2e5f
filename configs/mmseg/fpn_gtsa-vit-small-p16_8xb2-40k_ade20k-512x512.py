# GTSA's ADE20K protocol for its ViT-S/16 (bok3948/GTSA downstream/mmseg, there on mmseg 0.x):
# Semantic FPN on the outputs of blocks 2/5/8/11 (all at stride 16, no final norm, as the
# official config's mmseg ViT), fine-tuned end to end at 512 x 512 for 40k iterations, 8 GPUs x
# 2 images, AdamW lr 6e-5, wd 0.01 (none on pos_embed / cls_token), linear warm-up over 1,500
# iterations then poly (power 1) to 0. Official: +3.3 mIoU over DINO (not reproduced here).
#   python tools/model_converters/ssl_official_to_mm.py gtsa checkpoint.pth gtsa_vit.pth
#   tools/dist_train.sh configs/mmseg/fpn_gtsa-vit-small-p16_8xb2-40k_ade20k-512x512.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=gtsa_vit.pth
_base_ = 'mmseg::sem_fpn/fpn_r50_4xb4-160k_ade20k-512x512.py'
custom_imports = dict(imports=['mmpretrain.models', 'qbheat_mm'], allow_failed_imports=False)
custom_hooks = [dict(type='NormalizationCheckHook')]
model = dict(
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmpretrain.VisionTransformer',   # the keys of our GTSA runs and converted ones
        arch='deit-small',
        patch_size=16,
        img_size=512,            # position embedding resized (bicubic) from 14 x 14 at load
        out_type='featmap',
        out_indices=(2, 5, 8, 11),
        drop_path_rate=0.0,
        final_norm=False,
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=dict(in_channels=[384, 384, 384, 384]))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={
        'pos_embed': dict(decay_mult=0.), 'cls_token': dict(decay_mult=0.),
        'norm': dict(decay_mult=0.)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=1.0, eta_min=0.0, by_epoch=False, begin=1500, end=40000),
]
train_cfg = dict(max_iters=40000, val_interval=4000)
default_hooks = dict(checkpoint=dict(interval=4000))
train_dataloader = dict(batch_size=2)

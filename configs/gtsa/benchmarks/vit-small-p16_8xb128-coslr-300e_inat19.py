# iNaturalist-2019 fine-tuning of a GTSA ViT-S/16, the official protocol (bok3948/GTSA
# downstream/classification, the MAE fine-tuning recipe): 300 epochs (5 warm-up, cosine to 1e-6),
# AdamW base lr 5e-4 per 256 images (2e-3 at 8 x 128), layer-wise decay 0.65, weight decay 0.05,
# drop path 0.1, Mixup 0.8, CutMix 1.0, label smoothing 0.1, RandAugment m9-mstd0.5, random
# erasing 0.25, global-pool head; 1,010 classes. It is mmpretrain's stock MAE fine-tuning config
# with the ViT-S backbone (DINO's position-embedding resize, as the official code) and the
# iNat2019 json files. Data: data/inat2019/{train2019.json,val2019.json,train_val2019/...}.
#   python tools/model_converters/ssl_official_to_mm.py gtsa gtsa_checkpoint.pth gtsa_vit.pth
#   tools/dist_train.sh configs/gtsa/benchmarks/vit-small-p16_8xb128-coslr-300e_inat19.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=gtsa_vit.pth
_base_ = 'mmpretrain::mae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)
data_root = 'data/inat2019/'
num_classes = 1010
data_preprocessor = dict(num_classes=num_classes)
train_dataloader = dict(dataset=dict(
    _delete_=True, type='INaturalist', data_root=data_root, ann_file='train2019.json',
    pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(dataset=dict(
    _delete_=True, type='INaturalist', data_root=data_root, ann_file='val2019.json',
    pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
model = dict(
    backbone=dict(type='DINOVisionTransformer', arch='deit-small'),
    head=dict(num_classes=num_classes, in_channels=384))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=295, by_epoch=True, begin=5, end=300, eta_min=1e-6,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=300)

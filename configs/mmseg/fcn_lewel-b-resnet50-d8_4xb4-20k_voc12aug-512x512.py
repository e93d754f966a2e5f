# Pascal VOC 2012 aug semantic segmentation for a LEWEL ResNet-50 (LEWEL's paper reports VOC
# segmentation; its code has no segmentation config). We follow mmseg's stock FCN R50-D8 VOC12
# aug protocol (4 GPUs x 4 images, 512 x 512, SGD lr 0.01, poly, 20k iterations), fine-tuned end
# to end. Changed from the stock config: the torchvision-style ResNet-50 stem of the LEWEL
# checkpoints instead of ResNetV1c's deep stem, and the weights. MoCo's VOC protocol, which the
# SSL papers of that period follow, trains FCN for 30k iterations at batch 16: add
# --cfg-options train_cfg.max_iters=30000 param_scheduler.0.end=30000 for it.
#   python tools/model_converters/ssl_official_to_mm.py lewel lewel_checkpoint.pth lewel_r50.pth
#   tools/dist_train.sh configs/mmseg/fcn_lewel-b-resnet50-d8_4xb4-20k_voc12aug-512x512.py 4 \
#       --cfg-options model.backbone.init_cfg.checkpoint=lewel_r50.pth
_base_ = 'mmseg::fcn/fcn_r50-d8_4xb4-20k_voc12aug-512x512.py'
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)
custom_hooks = [dict(type='NormalizationCheckHook')]
model = dict(
    pretrained=None,
    backbone=dict(
        type='ResNet',
        init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')))

# RetinaNet + FPN on a frozen LEWEL ResNet-50 (the generic frozen ResNet-50 detector).
#   tools/dist_train.sh configs/lewel/mmdet/retinanet_lewel-b-resnet50_fpn_frozen_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=lewel_r50.pth
_base_ = '../../mmdet/retinanet_resnet50_fpn_frozen_1x_coco.py'

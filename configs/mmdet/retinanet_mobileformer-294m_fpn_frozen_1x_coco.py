# RetinaNet + FPN on a frozen MF-294M: the stock mmdet config, only the backbone and FPN inputs
# changed. tools/dist_train.sh configs/mmdet/retinanet_mobileformer-294m_fpn_frozen_1x_coco.py 8 \
#     --cfg-options model.backbone.init_cfg.checkpoint=backbone.pth
_base_ = [
    'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    '../_base_/models/mobileformer_frozen_det_backbone.py',
]
model = dict(
    backbone={{_base_.frozen_mobileformer}},
    neck=dict(in_channels=[24, 48, 128, 192]))  # MF-294M at strides 4-32

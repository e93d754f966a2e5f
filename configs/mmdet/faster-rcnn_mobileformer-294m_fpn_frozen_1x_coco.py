# Faster R-CNN + FPN on a frozen MF-294M (stock mmdet config; backbone and FPN inputs changed).
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    '../_base_/models/mobileformer_frozen_det_backbone.py',
]
model = dict(
    backbone={{_base_.frozen_mobileformer}},
    neck=dict(in_channels=[24, 48, 128, 192]))  # MF-294M at strides 4-32

# Faster R-CNN + FPN on a frozen MF-26M.
_base_ = './faster-rcnn_mobileformer-294m_fpn_frozen_1x_coco.py'
model = dict(backbone=dict(arch='26m'), neck=dict(in_channels=[12, 24, 64, 96]))

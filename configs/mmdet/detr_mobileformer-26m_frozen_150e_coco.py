# DETR on a frozen MF-26M.
_base_ = './detr_mobileformer-294m_frozen_150e_coco.py'
model = dict(backbone=dict(arch='26m'), neck=dict(in_channels=[96]))

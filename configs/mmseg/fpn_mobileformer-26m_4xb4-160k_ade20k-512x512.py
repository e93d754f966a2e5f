# Semantic FPN on a fine-tuned MF-26M (stock mmseg ADE20K Semantic FPN schedule).
_base_ = './fpn_mobileformer-294m_4xb4-160k_ade20k-512x512.py'
model = dict(backbone=dict(arch='26m'), neck=dict(in_channels=[12, 24, 64, 96]))

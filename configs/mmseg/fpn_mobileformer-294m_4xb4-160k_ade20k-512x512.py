# Semantic FPN on a fine-tuned MF-294M: every backbone weight trains, BN statistics update (the
# stock Semantic FPN ResNet-50 protocol, norm_eval=False), same schedule as the frozen config.
_base_ = './fpn_mobileformer-294m_frozen_4xb4-160k_ade20k-512x512.py'
model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))

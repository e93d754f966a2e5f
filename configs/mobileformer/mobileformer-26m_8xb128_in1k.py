# Supervised Mobile-Former MF-26M on ImageNet-1k, the authors' recipe for this variant
# (as MF-52M with dropout 0.1 and weight decay 0.08).
_base_ = './mobileformer-52m_8xb128_in1k.py'
model = dict(
    backbone=dict(arch='26m'),
    head=dict(arch='26m', dropout=0.1))
optim_wrapper = dict(optimizer=dict(weight_decay=0.08))

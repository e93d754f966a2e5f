# Supervised Mobile-Former MF-214M on ImageNet-1k, the authors' recipe for this variant.
_base_ = './mobileformer-294m_8xb128_in1k.py'
model = dict(
    backbone=dict(arch='214m'),
    head=dict(arch='214m', dropout=0.2),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2)]))
optim_wrapper = dict(optimizer=dict(lr=9e-4, weight_decay=0.15))

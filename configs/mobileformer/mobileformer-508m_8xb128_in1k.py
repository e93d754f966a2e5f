# Supervised Mobile-Former MF-508M on ImageNet-1k, the authors' recipe for this variant.
_base_ = './mobileformer-294m_8xb128_in1k.py'
model = dict(
    backbone=dict(arch='508m'),
    head=dict(arch='508m', dropout=0.3),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2)]))
optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=0.20))

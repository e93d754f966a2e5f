# Supervised Mobile-Former MF-52M on ImageNet-1k, the authors' recipe for this variant
# (no random erasing, as MF-96M; mixup 0.2).
_base_ = './mobileformer-96m_8xb128_in1k.py'
model = dict(
    backbone=dict(arch='52m'),
    head=dict(arch='52m', dropout=0.2),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2)]))
optim_wrapper = dict(optimizer=dict(lr=8e-4, weight_decay=0.10))

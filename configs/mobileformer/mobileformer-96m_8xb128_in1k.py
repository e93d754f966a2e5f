# Supervised Mobile-Former MF-96M on ImageNet-1k, the authors' recipe for this variant.
_base_ = './mobileformer-294m_8xb128_in1k.py'
model = dict(
    backbone=dict(arch='96m'),
    head=dict(arch='96m', dropout=0.2),
    train_cfg=dict(_delete_=True, augments=None))
optim_wrapper = dict(optimizer=dict(lr=8e-4, weight_decay=0.10))
# no random erasing for this variant
train_dataloader = dict(dataset=dict(pipeline={{_base_.train_pipeline_no_erasing}}))

# QB-Heat pretraining of Mobile-Former MF-26M on ImageNet-1k (same recipe as MF-294M).
_base_ = './mobileformer_in1k.py'
model = dict(
    backbone=dict(arch='26m'),
    neck=dict(in_channels=96),
    head=dict(decoder=dict(in_channels=96)))

# QB-Heat pretraining of Mobile-Former MF-151M on ImageNet-1k (same recipe as MF-294M).
_base_ = './mobileformer_in1k.py'
model = dict(
    backbone=dict(arch='151m'),
    neck=dict(in_channels=128),
    head=dict(decoder=dict(in_channels=128)))

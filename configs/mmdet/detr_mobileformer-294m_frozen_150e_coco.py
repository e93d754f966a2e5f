# DETR on a frozen MF-294M: the stride-32 map through the stock ChannelMapper, DETR's
# transformer and Hungarian matching (QB-Heat's frozen-backbone protocol is DETR-like).
_base_ = [
    'mmdet::detr/detr_r50_8xb2-150e_coco.py',
    '../_base_/models/mobileformer_frozen_det_backbone.py',
]
model = dict(
    backbone={{_base_.frozen_mobileformer_c5}},
    neck=dict(in_channels=[192]))

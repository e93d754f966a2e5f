# Semantic FPN on a frozen MF-294M: mmseg's stock ADE20K Semantic FPN config (4 GPUs x 4 images,
# SGD, poly, 160k iterations), only the backbone and the FPN inputs changed. Weights from any
# method's pretraining run (tools/model_converters/extract_backbone.py) or a converted checkpoint:
#   tools/dist_train.sh configs/mmseg/fpn_mobileformer-294m_frozen_4xb4-160k_ade20k-512x512.py 4 \
#       --cfg-options model.backbone.init_cfg.checkpoint=backbone.pth
_base_ = [
    'mmseg::sem_fpn/fpn_r50_4xb4-160k_ade20k-512x512.py',
    '../_base_/models/mobileformer_frozen_det_backbone.py',
]
model = dict(
    pretrained=None,                            # the stock config's ImageNet ResNet-50 link
    backbone={{_base_.frozen_mobileformer}},
    neck=dict(in_channels=[24, 48, 128, 192]))  # MF-294M at strides 4-32

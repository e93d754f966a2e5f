# RetinaNet + FPN on a frozen MF-26M pretrained with LEWEL (e.g. the CPU demo's checkpoint).
#   python tools/model_converters/extract_backbone.py work_dirs/lewel_demo/iter_300.pth lewel.pth
#   python tools/train.py \
#       configs/lewel/mmdet/retinanet_lewel-b-mobileformer-26m_fpn_frozen_1x_coco.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=lewel.pth
_base_ = '../../mmdet/retinanet_mobileformer-26m_fpn_frozen_1x_coco.py'

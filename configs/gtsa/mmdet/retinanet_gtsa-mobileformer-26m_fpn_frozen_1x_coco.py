# RetinaNet + FPN on a frozen MF-26M pretrained with GTSA (e.g. the CPU demo's checkpoint).
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/gtsa_mobileformer-26m_demo/iter_200.pth gtsa26.pth
#   python tools/test.py configs/gtsa/mmdet/retinanet_gtsa-mobileformer-26m_fpn_frozen_1x_coco.py \
#       <detector checkpoint>
_base_ = '../../mmdet/retinanet_mobileformer-26m_fpn_frozen_1x_coco.py'

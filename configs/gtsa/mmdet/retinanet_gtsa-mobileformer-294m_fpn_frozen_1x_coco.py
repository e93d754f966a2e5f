# RetinaNet + FPN on a frozen MF-294M pretrained with GTSA (stock mmdet config + backbone lines).
#   python tools/model_converters/extract_backbone.py work_dirs/<gtsa run>/epoch_100.pth gtsa.pth
#   tools/dist_train.sh \
#       configs/gtsa/mmdet/retinanet_gtsa-mobileformer-294m_fpn_frozen_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=gtsa.pth
_base_ = '../../mmdet/retinanet_mobileformer-294m_fpn_frozen_1x_coco.py'

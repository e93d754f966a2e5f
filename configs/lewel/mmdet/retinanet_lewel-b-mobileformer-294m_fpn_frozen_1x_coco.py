# RetinaNet + FPN on a frozen MF-294M pretrained with LEWEL (stock mmdet config + backbone lines).
#   python tools/model_converters/extract_backbone.py work_dirs/<lewel run>/epoch_200.pth lewel.pth
#   tools/dist_train.sh \
#       configs/lewel/mmdet/retinanet_lewel-b-mobileformer-294m_fpn_frozen_1x_coco.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=lewel.pth
_base_ = '../../mmdet/retinanet_mobileformer-294m_fpn_frozen_1x_coco.py'

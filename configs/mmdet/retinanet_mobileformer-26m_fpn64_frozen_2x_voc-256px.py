# RetinaNet + FPN on a frozen MF-26M, sized for CPU studies on small COCO-format folders with
# images of about 256 px (benchmarks/frozen_detection_study.py on PASCAL VOC 2007). Only stock
# fields change: FPN and head width 64 instead of 256 (the head's 3x3 convs, nearly all of the
# step, cost ~16x less), group norm in the head's stacked convs (see below), batch 8 in one
# process with the lr scaled linearly (0.01 x 8 / 16), 24 epochs with steps at 16 and 22.
# The image scale and the data come from the command line:
#   python tools/train.py configs/mmdet/retinanet_mobileformer-26m_fpn64_frozen_2x_voc-256px.py \
#       --coco-data ../shared/data/voc2007-small --image-scale 256 256 \
#       --cfg-options model.backbone.init_cfg.checkpoint=backbone.pth
_base_ = './retinanet_mobileformer-26m_fpn_frozen_1x_coco.py'
width = 64
model = dict(
    neck=dict(out_channels=width),
    # Without a norm the 64-wide head hardly learns: its convs start at std 0.01, so each of the
    # 4 stacked convs scales the signal by ~0.01 x sqrt(9 x 64) = 0.24 (0.48 at width 256) and
    # the classifier sees almost nothing. Measured on 64 VOC train images, 480 iterations:
    # loss 1.81 -> 1.35 without, 1.81 -> 0.44 with GN. GN is the stock head's own option
    # (``norm_cfg``), as in mmdet's FCOS and ATSS heads.
    bbox_head=dict(in_channels=width, feat_channels=width,
                   norm_cfg=dict(type='GN', num_groups=16, requires_grad=True)))
train_dataloader = dict(batch_size=8, num_workers=1, persistent_workers=True)
val_dataloader = dict(batch_size=8, num_workers=1)
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=0.01 * 8 / 16))
max_epochs = 24
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[16, 22],
         gamma=0.1),
]
# a checkpoint every 4 epochs: an interrupted unit loses at most a sixth of its schedule
default_hooks = dict(checkpoint=dict(interval=4, max_keep_ckpts=1))
auto_scale_lr = dict(base_batch_size=16)

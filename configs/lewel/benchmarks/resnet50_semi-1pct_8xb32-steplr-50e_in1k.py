# Semi-supervised ImageNet with 1 % of the labels, LEWEL's official protocol (main_semi.py,
# scripts/srun_semi_1p.sh): the whole ResNet-50 fine-tuned with a linear classifier on GAP
# features, SGD momentum 0.9, weight decay 1e-4, batch 256, lr 1e-4 for the backbone and 1.0 for
# the classifier, 50 epochs, lr / 10 at epochs 30 and 40; RandomResizedCrop 224 + flip.
# The label subset is the community's (SimCLR's 12,811 images, LEWEL's data/1percent.txt.ext);
# write it in mmpretrain's format first:
#   python tools/misc/make_semi_subset.py 1percent.txt.ext data/imagenet/meta/train_1percent.txt
#   tools/dist_train.sh configs/lewel/benchmarks/resnet50_semi-1pct_8xb32-steplr-50e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=lewel.pth
_base_ = './resnet50_linear-probe_8xb32-steplr-50e_in1k.py'
backbone_lr, head_lr = 1e-4, 1.0
model = dict(
    backbone=dict(frozen_stages=-1, norm_eval=False),
    head=dict(init_cfg=dict(type='Normal', std=0.01, layer='Linear')))
train_dataloader = dict(dataset=dict(split='', ann_file='meta/train_1percent.txt',
                                     data_prefix='train'))
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='SGD', lr=backbone_lr, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=head_lr / backbone_lr)}))

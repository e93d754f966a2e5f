# Semi-supervised ImageNet with 10 % of the labels (LEWEL's scripts/srun_semi_10p.sh): as the 1 %
# protocol but lr 0.01 for the backbone and 0.1 for the classifier, on SimCLR's 10 % subset
# (128,116 images):
#   python tools/misc/make_semi_subset.py 10percent.txt.ext data/imagenet/meta/train_10percent.txt
_base_ = './resnet50_semi-1pct_8xb32-steplr-50e_in1k.py'
backbone_lr, head_lr = 0.01, 0.1
train_dataloader = dict(dataset=dict(ann_file='meta/train_10percent.txt'))
optim_wrapper = dict(optimizer=dict(lr=backbone_lr),
                     paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=head_lr / backbone_lr)}))

# LEWEL_B EMAN on ResNet-50, 200 epochs (72.8 % linear top-1 reported; not reproduced here).
#   tools/dist_train.sh configs/lewel/lewel-b_resnet50_8xb128-eman-coslr-200e_in1k.py 8
_base_ = './lewel-b_resnet50_8xb128-eman-coslr-100e_in1k.py'
max_epochs = 200
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 10, by_epoch=True, begin=10,
         end=max_epochs),
]
train_cfg = dict(max_epochs=max_epochs)

# Linear probe of a frozen QB-Heat ResNet-50 (weights and BN statistics frozen): pooled stride-32
# map -> BatchNorm without affine -> Linear, QB-Heat's probe recipe (SGD lr 0.4 at 1024, 90 epochs).
#   tools/dist_train.sh configs/qbheat/benchmarks/resnet50_linear-probe_8xb128-coslr-90e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/resnet50_in1k/epoch_800.pth
_base_ = './mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py'
model = dict(
    backbone=dict(_delete_=True, type='ResNet', depth=50, out_indices=(3, ), frozen_stages=4,
                  norm_eval=True,
                  init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=[dict(type='PoolTokenNeck'), dict(type='ClsBatchNormNeck', input_features=2048)],
    head=dict(in_channels=2048))

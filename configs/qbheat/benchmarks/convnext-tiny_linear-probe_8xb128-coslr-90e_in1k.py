# Linear probe of a frozen QB-Heat ConvNeXt-T: pooled stride-32 map (after the final LayerNorm,
# as pretrained) -> BatchNorm without affine -> Linear. frozen_stages=4 leaves the output norm to
# the optimizer, which gives the backbone lr 0 and no weight decay.
#   tools/dist_train.sh configs/qbheat/benchmarks/convnext-tiny_linear-probe_8xb128-coslr-90e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/convnext-tiny_in1k/epoch_800.pth
_base_ = './mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py'
model = dict(
    backbone=dict(_delete_=True, type='ConvNeXt', arch='tiny', out_indices=(3, ),
                  gap_before_final_norm=False, frozen_stages=4,
                  init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.')),
    neck=[dict(type='PoolTokenNeck'), dict(type='ClsBatchNormNeck', input_features=768)],
    head=dict(in_channels=768))
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={
    'backbone': dict(lr_mult=0.0, decay_mult=0.0)}))

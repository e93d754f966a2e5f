# Linear probe of a frozen LEWEL ResNet-50, the official protocol (LayneH/LEWEL): GAP features ->
# linear classifier (no BN), SGD lr 0.4 at batch 256, momentum 0.9, no weight decay, 50 epochs
# with the lr divided by 10 at epochs 30 and 40. The model is QB-Heat's ResNet-50 probe.
#   tools/dist_train.sh configs/lewel/benchmarks/resnet50_linear-probe_8xb32-steplr-50e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/<lewel run>/epoch_100.pth
_base_ = '../../qbheat/benchmarks/resnet50_linear-probe_8xb128-coslr-90e_in1k.py'
model = dict(neck=dict(_delete_=True, type='GlobalAveragePooling'))
train_dataloader = dict(batch_size=32)
val_dataloader = dict(batch_size=64)
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[30, 40], gamma=0.1)]
train_cfg = dict(max_epochs=50)
auto_scale_lr = dict(base_batch_size=256)

# LEWEL's optimisation (LayneH/LEWEL scripts): LARS (momentum 0.9, eta 0.001) with BN weights and
# biases (backbone and MLPs) excluded from weight decay and LARS scaling; lr 3.6 at batch 1024,
# 10 linear warm-up epochs (per iteration) then cosine per epoch; AMP.
max_epochs = 100
warmup_epochs = 10
optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='TrainableOnlyOptimWrapperConstructor',   # EMA target: one log line
    loss_scale='dynamic',
    optimizer=dict(type='LARS', lr=3.6, momentum=0.9, weight_decay=1.5e-6),
    paramwise_cfg=dict(custom_keys={
        'bn': dict(decay_mult=0, lars_exclude=True),
        'bias': dict(decay_mult=0, lars_exclude=True),
        'downsample.1': dict(decay_mult=0, lars_exclude=True),  # BN of ResNet's shortcut
    }))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=warmup_epochs,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs, by_epoch=True,
         begin=warmup_epochs, end=max_epochs),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=1024)

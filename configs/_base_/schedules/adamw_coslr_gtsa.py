# GTSA's optimisation (bok3948/GTSA, DINO scaffolding): AdamW, lr 1e-3 at batch 512 (5e-4 x
# 512 / 256) with 10 linear warm-up epochs then cosine to 1e-6, per iteration; weight decay
# cosine 0.04 -> 0.4 on the decayed group (as the official get_params_groups: only biases and
# 1-D tensors stay at 0; position embedding and class token are decayed; Mobile-Former's global
# tokens are kept at 0, no official counterpart); gradient clipping 3.0 on each parameter's
# gradient separately, as the official clip_gradients; AMP.
max_epochs = 100
warmup_epochs = 10
optim_wrapper = dict(
    type='PerParamClipAmpOptimWrapper',
    constructor='TrainableOnlyOptimWrapperConstructor',   # EMA target: one log line
    loss_scale='dynamic',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.04),
    clip_grad=dict(max_norm=3.0),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, custom_keys={
        'backbone.tokens': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=warmup_epochs,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs, eta_min=1e-6,
         by_epoch=True, begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingParamScheduler', param_name='weight_decay', eta_min_ratio=10.,
         by_epoch=True, begin=0, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=512)

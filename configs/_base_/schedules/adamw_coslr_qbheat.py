# AdamW (betas 0.9/0.95, wd 0.05; no decay on norms, biases and global tokens), linear warm-up
# then cosine to 0, per iteration. lr = 1.5e-4 x batch / 256 (MAE rule) at the base batch.
base_batch_size = 2048
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1.5e-4 * base_batch_size / 256, betas=(0.9, 0.95),
                   weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={'backbone.tokens': dict(decay_mult=0.0)}))

max_epochs = 800
warmup_epochs = 40
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=warmup_epochs,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs, eta_min=0.0,
         by_epoch=True, begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
# --auto-scale-lr rescales lr by (GPUs x batch per GPU) / base_batch_size
auto_scale_lr = dict(base_batch_size=base_batch_size)

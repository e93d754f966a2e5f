# The authors' schedule: AdamW, 8 x 128 = 1024 images per step, 450 epochs, cosine;
# timm 0.3.4 defaults for warm-up (3 epochs from 1e-4 x lr) and the final lr (1e-5).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.2, eps=1e-8, betas=(0.9, 0.999)),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'backbone.tokens': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-1, by_epoch=True, begin=0, end=3,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=447, eta_min=1e-5, by_epoch=True, begin=3, end=450),
]
train_cfg = dict(by_epoch=True, max_epochs=450, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=1024)

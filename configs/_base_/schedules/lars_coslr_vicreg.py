# VICReg's optimisation as facebookresearch/vicreg (main_vicreg.py) runs it: the official LARS
# rule (VICRegLARS: momentum 0.9, eta 0.001, every 1-D parameter (biases, norms) excluded from
# weight decay and trust ratio), base lr 0.2 x batch / 256, weight decay 1e-6; 10 linear warm-up
# epochs from 0, then cosine to 0.001 x the base lr, per iteration (WarmupCosineLR: the official
# closed form). 100 epochs here (the paper trains 1000).
max_epochs = 100
warmup_epochs = 10
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='VICRegLARS', lr=0.2 * 2048 / 256, momentum=0.9, weight_decay=1e-6,
                   eta=0.001, exclude_1d=True),
    # Mobile-Former's global tokens (2-D) follow the 1-D rule too (no official counterpart)
    paramwise_cfg=dict(custom_keys={
        'backbone.tokens': dict(decay_mult=0, lars_exclude=True)}))
param_scheduler = [
    dict(type='WarmupCosineLR', warmup=warmup_epochs, eta_min_ratio=0.001, by_epoch=True,
         begin=0, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=2048)

# Runtime and optimisation of the CPU demos of LEWEL and BagSSL (iteration-based, batch 16):
# LARS lr 0.3, norms, biases and Mobile-Former's token table without weight decay or LARS
# scaling, logs every 10 iterations, checkpoints every 100; each demo adds its warm-up + cosine
# schedule over its own max_iters.
_base_ = './default_runtime.py'
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='TrainableOnlyOptimWrapperConstructor',   # frozen EMA targets: one log line
    optimizer=dict(type='LARS', lr=0.3, momentum=0.9, weight_decay=1.5e-6),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, custom_keys={
        'bn': dict(decay_mult=0, lars_exclude=True),
        'bias': dict(decay_mult=0, lars_exclude=True),
        'backbone.tokens': dict(decay_mult=0, lars_exclude=True)}))
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=100, by_epoch=False, max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)

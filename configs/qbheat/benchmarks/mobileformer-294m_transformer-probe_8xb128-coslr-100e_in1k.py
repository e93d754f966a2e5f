# Non-linear probe of a frozen MF-294M: one transformer block before the linear classifier
# (QB-Heat's "tran-1" protocol): map tokens + global tokens -> TransformerProbeNeck (width 384,
# 6 heads, [CLS]) -> Linear. AdamW lr 1e-3 at batch 1024, wd 0.05, 5 warm-up + cosine 100 epochs.
_base_ = './mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py'
model = dict(
    neck=dict(_delete_=True, type='TransformerProbeNeck', in_channels=192, embed_dims=384,
              num_heads=6, token_dims=192, pool='cls'),
    head=dict(in_channels=384, init_cfg=dict(type='TruncNormal', std=0.02, layer='Linear')))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05, betas=(0.9, 0.999)),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'cls_token': dict(decay_mult=0.0),
                                    'head': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=95, by_epoch=True, begin=5, end=100),
]
train_cfg = dict(max_epochs=100)

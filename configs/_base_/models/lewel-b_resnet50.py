# LEWEL_B on ResNet-50 (LayneH/LEWEL): D = 256, hidden 4096, G = 4 heads -> K = 64 aligned
# embeddings, softmax scale 1.0 on l2-normalised projections, alpha = 0.5.
model = dict(
    type='LEWEL',
    base_momentum=0.004,  # 1 - tau_0; the EMAN recipe sets 0.02 (tau_0 = 0.98)
    eman=False,
    backbone=dict(type='ResNet', depth=50, norm_cfg=dict(type='SyncBN'),
                  zero_init_residual=False),
    neck=dict(type='LEWELNeck', in_channels=2048, hid_channels=4096, out_channels=256,
              num_heads=4, scale=1.0, l2_norm=True, norm_cfg=dict(type='SyncBN')),
    head=dict(type='LEWELHead', in_channels=256, hid_channels=4096, alpha=0.5,
              norm_cfg=dict(type='SyncBN')))

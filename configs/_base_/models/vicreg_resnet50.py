# VICReg on ResNet-50 (Bardes et al., ICLR 2022): GAP -> expander 2048-8192-8192-8192
# (Linear-BN-ReLU x2, Linear), loss weights lambda = mu = 25, nu = 1.
model = dict(
    type='VICReg',
    backbone=dict(type='ResNet', depth=50, norm_cfg=dict(type='SyncBN'),
                  zero_init_residual=True),
    neck=dict(type='NonLinearNeck', in_channels=2048, hid_channels=8192, out_channels=8192,
              num_layers=3, with_bias=True, with_last_bn=False, with_last_bias=False,
              with_avg_pool=True, norm_cfg=dict(type='SyncBN')),
    head=dict(type='VICRegHead', loss=dict(type='VICRegLoss', inv_weight=25., var_weight=25.,
                                           cov_weight=1.)))

# LEWEL_B (EMAN) on Mobile-Former MF-294M, 200 epochs on ImageNet-1k, 224 crops (7x7 map).
#   tools/dist_train.sh configs/lewel/lewel-b_mobileformer-294m_8xb128-coslr-200e_in1k.py 8
# Projector widths slimmed for a ~300 M MAdds backbone (related_methods.md 2.8): hidden 1024,
# D = 128, G = 4 -> K = 32 aligned embeddings; neck + predictors ~36 M MAdds per view at 224
# against the backbone's 292.5 M (README "LEWEL" gives the split).
_base_ = [
    '../_base_/models/lewel-b_resnet50.py',
    '../_base_/datasets/imagenet_bs32_lewel.py',
    '../_base_/schedules/lars_coslr_lewel.py',
    '../_base_/default_runtime.py',
]
max_epochs = 200
model = dict(
    base_momentum=0.02,  # EMAN, tau_0 = 0.98 (small per-GPU batches favour EMAN)
    eman=True,
    backbone=dict(_delete_=True, type='MobileFormer', arch='294m', out_indices=(4, )),
    neck=dict(in_channels=192, hid_channels=1024, out_channels=128, num_heads=4,
              norm_cfg=dict(type='BN1d')),
    head=dict(in_channels=128, hid_channels=1024, norm_cfg=dict(type='BN1d')))
train_dataloader = dict(batch_size=128)
# Mobile-Former's norms sit in nn.Sequential (no "bn" in their names): norm_decay_mult keeps
# their weight decay at 0; LARS still scales them (only names can exclude from LARS).
optim_wrapper = dict(paramwise_cfg=dict(
    norm_decay_mult=0.0, bias_decay_mult=0.0,
    custom_keys={'backbone.tokens': dict(decay_mult=0, lars_exclude=True)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=10,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 10, by_epoch=True, begin=10,
         end=max_epochs),
]
train_cfg = dict(max_epochs=max_epochs)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=10, max_keep_ckpts=3))

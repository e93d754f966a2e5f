# Bag-of-patches linear probe (BagSSL's evaluation) of any Mobile-Former checkpoint (BagSSL,
# VICReg, QB-Heat, MoCo-v2, LEWEL, supervised): features = mean over 16 grid patches of 64 px of
# the 224 image (each at 64 px: GAP of a 2x2 map) -> BatchNorm without affine -> Linear. The
# rest of the recipe is QB-Heat's linear probe.
#   tools/dist_train.sh \
#       configs/bagssl/benchmarks/mobileformer-294m_bag-of-patches-linear-probe_8xb128-coslr-90e_in1k.py \
#       8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = '../../qbheat/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py'
model = dict(
    type='BagOfPatchesClassifier',
    patch_size=64,
    num_patches=16,
    mode='grid',
    backbone=dict(return_tokens=False),
    neck=dict(_delete_=True, type='ClsBatchNormNeck', input_features=192),
    head=dict(in_channels=192))

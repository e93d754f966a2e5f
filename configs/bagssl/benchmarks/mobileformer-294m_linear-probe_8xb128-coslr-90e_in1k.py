# Centre-crop linear probe of BagSSL / VICReg Mobile-Former checkpoints: exactly QB-Heat's probe.
#   tools/dist_train.sh \
#       configs/bagssl/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = '../../qbheat/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py'

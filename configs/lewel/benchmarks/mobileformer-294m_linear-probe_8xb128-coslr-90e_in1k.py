# LEWEL Mobile-Former checkpoints are probed with exactly QB-Heat's linear probe (like with like):
#   tools/dist_train.sh \
#       configs/lewel/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py 8 \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/<lewel run>/epoch_200.pth
_base_ = '../../qbheat/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py'

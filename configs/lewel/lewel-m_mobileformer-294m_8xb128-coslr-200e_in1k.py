# LEWEL_M (MoCo-v2 flavour; no official code, see README "LEWEL" for the design choices) on
# MF-294M: InfoNCE (temperature 0.2) on the global embedding against a 65536-key queue and per
# aligned index against the other images of the global batch; EMAN key encoder, tau = 0.999.
#   tools/dist_train.sh configs/lewel/lewel-m_mobileformer-294m_8xb128-coslr-200e_in1k.py 8
_base_ = './lewel-b_mobileformer-294m_8xb128-coslr-200e_in1k.py'
model = dict(
    type='LEWELM',
    queue_len=65536,
    feat_dim=128,
    base_momentum=0.001,
    end_momentum=0.001,
    eman=True,
    head=dict(_delete_=True, type='LEWELMHead', temperature=0.2, alpha=0.5))

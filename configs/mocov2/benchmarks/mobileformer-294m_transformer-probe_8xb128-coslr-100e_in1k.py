# MoCo-v2 checkpoints are probed with exactly QB-Heat's probe config (like with like).
_base_ = '../../qbheat/benchmarks/mobileformer-294m_transformer-probe_8xb128-coslr-100e_in1k.py'

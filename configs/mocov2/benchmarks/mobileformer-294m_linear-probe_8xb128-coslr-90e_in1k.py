# MoCo-v2 checkpoints are probed with exactly QB-Heat's probe config (like with like).
_base_ = '../../qbheat/benchmarks/mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py'

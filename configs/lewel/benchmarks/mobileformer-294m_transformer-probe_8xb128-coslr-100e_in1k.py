# LEWEL Mobile-Former checkpoints through QB-Heat's non-linear probe (one transformer block).
_base_ = '../../qbheat/benchmarks/mobileformer-294m_transformer-probe_8xb128-coslr-100e_in1k.py'

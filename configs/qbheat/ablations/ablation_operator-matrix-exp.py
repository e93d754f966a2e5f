# QB-Heat ablation: exact steps exp(dA), exp(dB) instead of forward Euler I + dA.
_base_ = '../mobileformer-26m_demo.py'
model = dict(neck=dict(operator='matrix_exp'))

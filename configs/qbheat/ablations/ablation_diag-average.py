# QB-Heat ablation: bottom-right quarter as the average of both step orders.
_base_ = '../mobileformer-26m_demo.py'
model = dict(neck=dict(diag_order='average'))

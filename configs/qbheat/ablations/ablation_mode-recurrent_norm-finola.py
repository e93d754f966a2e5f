# QB-Heat ablation over the demo setting: mode='recurrent', step_norm='finola'.
_base_ = '../mobileformer-26m_demo.py'
model = dict(neck=dict(mode='recurrent', step_norm='finola'))

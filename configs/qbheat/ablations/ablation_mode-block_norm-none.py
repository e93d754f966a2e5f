# QB-Heat ablation over the demo setting: mode='block', step_norm='none' (= the demo: the
# reference row).
_base_ = '../mobileformer-26m_demo.py'
model = dict(neck=dict(mode='block', step_norm='none'))

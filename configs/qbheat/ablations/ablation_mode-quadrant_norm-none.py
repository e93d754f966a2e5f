# QB-Heat ablation over the demo setting: mode='quadrant', step_norm='none'.
_base_ = '../mobileformer-26m_demo.py'
model = dict(neck=dict(mode='quadrant', step_norm='none'))

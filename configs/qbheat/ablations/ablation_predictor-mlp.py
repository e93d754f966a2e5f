# QB-Heat ablation, the "not the heat equation" control: the linear extrapolation replaced by a
# per-position non-linear MLP for each masked quarter (MLPExtrapolationNeck).
_base_ = '../mobileformer-26m_demo.py'
model = dict(neck=dict(_delete_=True, type='MLPExtrapolationNeck', in_channels=96))

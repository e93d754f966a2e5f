# QB-Heat ablation: transformer decoder of depth 1 (the demo: 2).
_base_ = '../mobileformer-26m_demo.py'
model = dict(head=dict(decoder=dict(depth=1)))

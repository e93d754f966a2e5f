# QB-Heat ablation: raw (preprocessed) pixels as the target instead of per-patch normalised ones.
_base_ = '../mobileformer-26m_demo.py'
model = dict(head=dict(norm_pix=False))

# QB-Heat ablation: a random corner is the visible block (each image flipped), not always the
# top-left one.
_base_ = '../mobileformer-26m_demo.py'
model = dict(visible_block='random')

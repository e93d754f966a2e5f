# QB-Heat ablation: reconstruction loss on the whole image, visible quarter included.
_base_ = '../mobileformer-26m_demo.py'
model = dict(head=dict(loss_region='full'))

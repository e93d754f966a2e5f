# QB-Heat ablation: a local decoder. The visible quarter's cells and the masked cells are
# decoded as two separate sequences, so a masked cell is reconstructed from the extrapolated
# features alone (the default 'global' decoder may read the visible cells directly).
_base_ = '../mobileformer-26m_demo.py'
model = dict(head=dict(decoder=dict(attention='local')))

# QB-Heat ablation: the convolutional decoder (two 3x3 conv-BN-ReLU, width 128) instead of the
# transformer decoder.
_base_ = '../mobileformer-26m_demo.py'
model = dict(head=dict(decoder=dict(_delete_=True, type='QBHeatConvDecoder', in_channels=96,
                                    patch_size=32, embed_dims=128, depth=2)))

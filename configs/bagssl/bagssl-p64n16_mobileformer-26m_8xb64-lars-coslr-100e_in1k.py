# BagSSL on Mobile-Former MF-26M (96 channels at stride 32): the MF-294M recipe, 16 patches of 64 px
# fed at 64 px, expander slimmed to 1024-1024-1024.
#   tools/dist_train.sh \
#       configs/bagssl/bagssl-p64n16_mobileformer-26m_8xb64-lars-coslr-100e_in1k.py 8
_base_ = './bagssl-p64n16_mobileformer-294m_8xb64-lars-coslr-100e_in1k.py'
model = dict(backbone=dict(arch='26m'),
             neck=dict(in_channels=96, hid_channels=1024, out_channels=1024))

# LEWEL_B (EMAN) on Mobile-Former MF-26M (96 channels at stride 32), 200 epochs, 224 crops.
#   tools/dist_train.sh configs/lewel/lewel-b_mobileformer-26m_8xb128-coslr-200e_in1k.py 8
# Heads slimmed further for a 25 M MAdds backbone: hidden 512, D = 64, G = 4 -> K = 16.
_base_ = './lewel-b_mobileformer-294m_8xb128-coslr-200e_in1k.py'
model = dict(
    backbone=dict(arch='26m'),
    neck=dict(in_channels=96, hid_channels=512, out_channels=64),
    head=dict(in_channels=64, hid_channels=512))

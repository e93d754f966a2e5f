# VICReg on Mobile-Former MF-294M (192 channels at stride 32), expander slimmed to 2048-2048-2048.
#   tools/dist_train.sh configs/vicreg/vicreg_mobileformer-294m_8xb256-lars-coslr-100e_in1k.py 8
_base_ = './vicreg_resnet50_8xb256-lars-coslr-100e_in1k.py'
model = dict(
    backbone=dict(_delete_=True, type='MobileFormer', arch='294m', out_indices=(4, )),
    neck=dict(in_channels=192, hid_channels=2048, out_channels=2048))

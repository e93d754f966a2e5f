# The MF-294M linear-probe with on-device decoding of the training images (see
# configs/qbheat/mobileformer_in1k_device-decode.py); validation keeps the worker pipeline.
_base_ = [
    './mobileformer-294m_linear-probe_8xb128-coslr-90e_in1k.py',
    '../../_base_/datasets/device_decode_cls_224.py',
]
data_preprocessor = dict(type='DeviceDecodeClsDataPreprocessor')
train_dataloader = {{_base_.device_decode_train_dataloader}}

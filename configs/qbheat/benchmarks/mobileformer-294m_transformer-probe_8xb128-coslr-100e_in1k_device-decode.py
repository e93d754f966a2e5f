# The MF-294M transformer probe with on-device decoding of the training images (see
# configs/qbheat/mobileformer_in1k_device-decode.py); validation keeps the worker pipeline.
_base_ = './mobileformer-294m_transformer-probe_8xb128-coslr-100e_in1k.py'
data_preprocessor = dict(type='DeviceDecodeClsDataPreprocessor')
train_pipeline = [
    dict(type='LoadImageBytes'),
    dict(type='RandomResizedCropBox', scale=224, backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlipFlag', prob=0.5),
    dict(type='PackImageBytes'),
]
train_dataloader = dict(collate_fn=dict(_delete_=True, type='pseudo_collate'),
                        dataset=dict(pipeline=train_pipeline))

# On-device decoding of 224 px classification training images (probes): the workers read the
# bytes and draw the RandomResizedCrop box and flip; DeviceDecodeClsDataPreprocessor decodes,
# crops, resizes, flips and normalises on the model's device. Use from a probe config:
#   data_preprocessor = dict(type='DeviceDecodeClsDataPreprocessor')
#   train_dataloader = {{_base_.device_decode_train_dataloader}}
device_decode_train_dataloader = dict(
    collate_fn=dict(_delete_=True, type='pseudo_collate'),
    dataset=dict(pipeline=[
        dict(type='LoadImageBytes'),
        dict(type='RandomResizedCropBox', scale=224, backend='pillow', interpolation='bicubic'),
        dict(type='RandomFlipFlag', prob=0.5),
        dict(type='PackImageBytes'),
    ]))

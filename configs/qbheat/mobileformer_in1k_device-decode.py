# QB-Heat MF-294M pretraining with on-device decoding: the data workers only read the file bytes
# and draw the crop box and flip (from the JPEG header); the data preprocessor decodes the batch
# on the GPU (nvJPEG), crops, resizes (bicubic, antialiased), flips and normalises there. Same
# boxes as the worker pipeline of mobileformer_in1k.py for the same random state; on a CPU the
# same code decodes with torchvision on the CPU.
#   tools/dist_train.sh configs/qbheat/mobileformer_in1k_device-decode.py 8
_base_ = './mobileformer_in1k.py'
data_preprocessor = dict(type='DeviceDecodeSelfSupDataPreprocessor')
train_pipeline = [
    dict(type='LoadImageBytes'),
    dict(type='RandomResizedCropBox', scale=256, crop_ratio_range=(0.2, 1.0),
         backend='pillow', interpolation='bicubic'),
    dict(type='RandomFlipFlag', prob=0.5),
    dict(type='PackImageBytes'),
]
train_dataloader = dict(collate_fn=dict(_delete_=True, type='pseudo_collate'),
                        dataset=dict(pipeline=train_pipeline))

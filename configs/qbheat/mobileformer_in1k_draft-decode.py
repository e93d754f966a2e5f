# QB-Heat MF-294M pretraining with the cheaper CPU data path: the worker draws the crop box from
# the JPEG header first (same draws as RandomResizedCrop), then decodes, crops and resizes in one
# step, at 1/2-1/4-1/8 scale in the DCT domain when the crop still shrinks >= 2x (PIL draft).
# Pixels differ from mobileformer_in1k.py's by < 1 grey level on average (tested);
# benchmarks/data_throughput.py measures both.
#   tools/dist_train.sh configs/qbheat/mobileformer_in1k_draft-decode.py 8
_base_ = './mobileformer_in1k.py'
train_pipeline = [
    dict(type='LoadImageBytes'),
    dict(type='RandomResizedCropBox', scale=256, crop_ratio_range=(0.2, 1.0),
         backend='pillow', interpolation='bicubic'),
    dict(type='DecodeCropResize', draft=True, min_shrink=2.),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# The kNN protocol of public Imagenette SSL tables: 128 px centre crops (resize 146, crop 128),
# k = 200, t = 0.1 on the whole val split, the train split as memory. The configs using it
# evaluate every 10 epochs and keep the best epoch (checkpoint save_best='knn/top1'). Our
# imagenette copy is 224 x 224 (squashed from the originals), the tables use the 160 px
# originals: compare in direction, not to the decimal.
_base_ = './knn_imagenette.py'
knn_size = 128
knn_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=146, edge='short', backend='pillow', interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=knn_size),
    dict(type='PackInputs'),
]
val_dataloader = dict(batch_size=256, dataset=dict(pipeline=knn_pipeline))
val_cfg = dict(memory_dataloader=dict(batch_size=256, dataset=dict(pipeline=knn_pipeline)))
val_evaluator = dict(k=200, temperature=0.1)

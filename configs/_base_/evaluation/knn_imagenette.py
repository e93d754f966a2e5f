# kNN monitor for any self-supervised pretraining config: every validation embeds the labelled
# train split (memory) and the val split (queries) with the frozen backbone (global average pool
# of its last map) and logs weighted-kNN knn/top1 and knn/top5 (k = 20, t = 0.07; public
# Imagenette tables use k = 200, t = 0.1). Any ImageNet-layout folder works: set data_root in
# both dataloaders (or use tools/train.py --knn-data ROOT --knn-interval N). Set how often it runs
# with train_cfg.val_interval (iterations or epochs, as the train loop counts); for an
# iteration-based loop also set default_hooks.logger.log_metric_by_epoch=False so the logged
# curve's x axis is the iteration (tools/train.py --knn-data does both).
knn_data_root = '../shared/data/imagenette'
knn_size = 224
knn_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=knn_size * 8 // 7, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=knn_size),
    dict(type='PackInputs'),
]
knn_loader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
)
val_dataloader = dict(
    **knn_loader,
    dataset=dict(type='CustomDataset', data_root=knn_data_root, ann_file='meta/val.txt',
                 data_prefix='val', pipeline=knn_pipeline))
val_cfg = dict(
    type='KNNValLoop',
    memory_dataloader=dict(
        **knn_loader,
        dataset=dict(type='CustomDataset', data_root=knn_data_root,
                     ann_file='meta/train.txt', data_prefix='train', pipeline=knn_pipeline)))
val_evaluator = dict(type='KNNAccuracy', k=20, temperature=0.07, topk=(1, 5))

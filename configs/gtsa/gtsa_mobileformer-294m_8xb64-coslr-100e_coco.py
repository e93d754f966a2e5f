# GTSA on MF-294M (CNN adaptation, design choices in configs/gtsa/README.md): the dense map is
# the stride-16 stage (128 x 14 x 14 at 224 px, ViT-S/16's geometry), the rotation head pools the
# stride-32 map (192 ch); depthwise-separable projector/predictor of width 256 (the official
# 384/768 dense widths cost ~1.7 GMACs per global crop, 6x this backbone); 4 local crops of
# 128 px, scale (0.2, 0.4) instead of 8 x 96 px (fewer, larger views for small networks);
# roi (10, 5) and k (98, 32) = half of the 14 x 14 and 8 x 8 student maps.
#   tools/dist_train.sh configs/gtsa/gtsa_mobileformer-294m_8xb64-coslr-100e_coco.py 8
_base_ = [
    '../_base_/models/gtsa_vit-small-p16.py',
    '../_base_/datasets/coco_gtsa.py',
    '../_base_/schedules/adamw_coslr_gtsa.py',
    '../_base_/default_runtime.py',
]
model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    eval_teacher=False,  # BN backbone: the teacher normalises with its batch statistics
    feature_index=0,
    backbone=dict(_delete_=True, type='MobileFormer', arch='294m', out_indices=(3, 4)),
    neck=dict(in_channels=128, hid_channels=256, out_channels=256, depthwise=True),
    predictor=dict(in_channels=256, hid_channels=256, out_channels=256, depthwise=True),
    head=dict(roi_sizes=(10, 5), topk=(98, 32), large_positions=100),
    rotation_head=dict(hid_channels=256, bottleneck_channels=128))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='GTSAMultiCrop', num_global=2, num_local=4, global_size=224, local_size=128,
         global_scale=(0.3, 1.0), local_scale=(0.2, 0.4),
         global_transforms={{_base_.color_augment}}),
    dict(type='PackInputs', algorithm_keys=['gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot']),
]))
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))

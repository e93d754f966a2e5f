# GTSA, official recipe: ViT-S/16 on COCO train2017 images (no labels), 2 x 224 + 8 x 96 crops,
# 100 epochs, 8 GPUs x 64 images.
#   tools/dist_train.sh configs/gtsa/gtsa_vit-small-p16_8xb64-coslr-100e_coco.py 8
_base_ = [
    '../_base_/models/gtsa_vit-small-p16.py',
    '../_base_/datasets/coco_gtsa.py',
    '../_base_/schedules/adamw_coslr_gtsa.py',
    '../_base_/default_runtime.py',
]
model = dict(data_preprocessor={{_base_.data_preprocessor}})
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))

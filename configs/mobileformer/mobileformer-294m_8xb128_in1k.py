# Supervised Mobile-Former MF-294M on ImageNet-1k, the authors' recipe (baseline for transfer).
#   tools/dist_train.sh configs/mobileformer/mobileformer-294m_8xb128_in1k.py 8
_base_ = [
    '../_base_/models/mobileformer-294m.py',
    '../_base_/datasets/imagenet_bs128_mobileformer_224.py',
    '../_base_/schedules/imagenet_bs1024_adamw_450e.py',
    '../_base_/default_runtime.py',
]
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'))

# Mobile-Former MF-294M classifier: backbone returns (stride-32 map, tokens); the released head.
model = dict(
    type='ImageClassifier',
    backbone=dict(type='MobileFormer', arch='294m', out_indices=(4, ), return_tokens=True,
                  drop_path_rate=0.0),
    head=dict(type='MobileFormerClsHead', num_classes=1000, arch='294m', dropout=0.3,
              loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
              topk=(1, 5)),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2)]))

# GTSA on ViT-S/16 (bok3948/GTSA): student drop-path 0.1, teacher = EMA of backbone + projector
# without drop-path, patch tokens as a 384 x 14 x 14 map (DINO's position-embedding resize for
# the 96-px local crops, as the official ViT); projector 384 -> 384 -> 768 (2 residual
# conv blocks), predictor 768 -> 768, rotation MLP on the mean patch token.
model = dict(
    type='GTSA',
    num_global=2,
    feature_stride=16,
    base_momentum=0.004,  # tau 0.996 -> 1 (cosine)
    end_momentum=0.,
    lambda_pc=0.5,
    lambda_rot=0.5,
    pc_warmup_epochs=10,
    eval_teacher=True,
    backbone=dict(type='DINOVisionTransformer', arch='deit-small', patch_size=16, img_size=224,
                  out_type='featmap', drop_path_rate=0.1, final_norm=True),
    neck=dict(type='GTSAProjector', in_channels=384, hid_channels=384, out_channels=768),
    predictor=dict(type='GTSAPredictor', in_channels=768, hid_channels=768, out_channels=768),
    head=dict(type='GTSAHead', feature_stride=16, roi_sizes=(10, 4), topk=(98, 18),
              large_positions=100),
    rotation_head=dict(type='GTSARotationHead', hid_channels=768, bottleneck_channels=128))

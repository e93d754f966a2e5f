# A frozen Mobile-Former for stock mmdet detectors: every weight, the global tokens and all BN
# statistics frozen (frozen_stages=4 + norm_eval). Weights from QB-Heat / MoCo-v2 / supervised
# pretraining: --cfg-options model.backbone.init_cfg.checkpoint=PATH (a training checkpoint or
# the output of tools/model_converters/extract_backbone.py).
custom_imports = dict(imports=['qbheat_mm'], allow_failed_imports=False)
# stops the run when the detector's data preprocessor normalises inputs unlike the backbone's
# pretraining (the normalisation stored in the checkpoint's meta)
custom_hooks = [dict(type='NormalizationCheckHook')]
frozen_mobileformer = dict(
    _delete_=True,
    type='MobileFormer',
    arch='294m',
    out_indices=(1, 2, 3, 4),  # strides 4, 8, 16, 32
    frozen_stages=4,
    norm_eval=True,
    init_cfg=dict(type='Pretrained', checkpoint='', prefix='backbone.'))
# only the stride-32 map (DETR's single-level ChannelMapper)
frozen_mobileformer_c5 = dict(frozen_mobileformer, out_indices=(4, ))

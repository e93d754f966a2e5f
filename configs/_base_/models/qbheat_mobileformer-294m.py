# QB-Heat with an MF-294M encoder (the paper's "5.8M / 285M" encoder is unknown; MF-294M trunk).
model = dict(
    type='QBHeat',
    feature_stride=32,
    visible_block='top_left',  # 'random': flip so a random corner becomes top-left
    backbone=dict(type='MobileFormer', arch='294m', out_indices=(4, )),
    neck=dict(
        type='HeatExtrapolationNeck',
        in_channels=192,
        mode='block',          # 'recurrent': march (I + A)^k cell by cell
        operator='euler',      # 'matrix_exp': exp(dA)
        diag_order='x_then_y',  # 'average' of both orders for the bottom-right quarter
        pre_norm=False,
        log_diagnostics=True,
        diagnostics_interval=100),  # = the LoggerHook interval: computed only when printed
    head=dict(
        type='QBHeatHead',
        patch_size=32,
        norm_pix=True,          # False: raw pixels
        loss_region='masked',   # 'full': every cell
        decoder=dict(type='QBHeatTransformerDecoder', in_channels=192, embed_dims=256,
                     depth=4, num_heads=4),
        loss=dict(type='PixelReconstructionLoss', criterion='L2')))

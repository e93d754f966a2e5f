"""Registration of qbheat_mm's components in mmpretrain's and mmdet's registries."""


def register_all_modules() -> None:
    """Import every module (their decorators register them in mmpretrain's
    registries) and mirror the detection components into mmdet's MODELS, so a
    stock mmdet config names them with plain types. Safe to call again."""
    from mmdet.registry import HOOKS as MMDET_HOOKS
    from mmdet.registry import MODELS as MMDET_MODELS

    from . import datasets, engine, evaluation, fileio, models  # noqa: F401
    from .engine.hooks import NormalizationCheckHook
    from .models.backbones import FrozenStagesConvNeXt, MobileFormer

    for module in (MobileFormer, FrozenStagesConvNeXt):
        if module.__name__ not in MMDET_MODELS.module_dict:
            MMDET_MODELS.register_module(module=module)
    if NormalizationCheckHook.__name__ not in MMDET_HOOKS.module_dict:
        MMDET_HOOKS.register_module(module=NormalizationCheckHook)


__all__ = ['register_all_modules']

"""Registration of qbheat_mm's components in mmpretrain's, mmdet's and mmseg's registries."""


def _mirror(registry, modules) -> None:
    for module in modules:
        if module.__name__ not in registry.module_dict:
            registry.register_module(module=module)


def register_all_modules() -> None:
    """Import every module (their decorators register them in mmpretrain's
    registries) and mirror the backbones and the normalisation hook into mmdet's
    and, when it is installed, mmseg's registries, so stock mmdet and mmseg
    configs name them with plain types. Safe to call again."""
    from mmdet.registry import HOOKS as MMDET_HOOKS
    from mmdet.registry import MODELS as MMDET_MODELS

    from . import datasets, engine, evaluation, fileio, models  # noqa: F401
    from .engine.hooks import EmptyDetectionResultHook, NormalizationCheckHook
    from .models.backbones import FrozenStagesConvNeXt, MobileFormer

    _mirror(MMDET_MODELS, (MobileFormer, FrozenStagesConvNeXt))
    _mirror(MMDET_HOOKS, (NormalizationCheckHook, EmptyDetectionResultHook))
    try:    # segmentation transfer is optional: the plugin works without mmseg
        from mmseg.registry import HOOKS as MMSEG_HOOKS
        from mmseg.registry import MODELS as MMSEG_MODELS
    except ImportError:
        return
    _mirror(MMSEG_MODELS, (MobileFormer, FrozenStagesConvNeXt))
    _mirror(MMSEG_HOOKS, (NormalizationCheckHook, ))


__all__ = ['register_all_modules']

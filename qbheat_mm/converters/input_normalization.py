"""The input normalisation a backbone was trained with, recorded in its checkpoint and
compared with a downstream config's data preprocessor.

A backbone pretrained on RGB images normalised with the ImageNet mean/std computes nonsense
features when a downstream config feeds it, say, BGR images minus the Caffe mean with std 1
(mmdet's ``*-caffe`` configs): nothing fails, the numbers are just wrong. The pretraining
checkpoint knows its normalisation (its ``meta['cfg']``); backbone checkpoints written by
``extract_backbone.py`` and the Mobile-Former converter store it as ``meta['normalization']``.
"""
from typing import Optional, Sequence

from mmengine.config import Config

#: torchvision / timm ImageNet statistics on 0-255 RGB inputs (the authors' Mobile-Former).
IMAGENET = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], rgb=True)


class NormalizationMismatchError(ValueError):
    """A downstream config normalises inputs unlike the backbone's pretraining (the tools
    print its message without a traceback)."""


def normalization_of_config(cfg) -> Optional[dict]:
    """``dict(mean, std, rgb)`` of a config's data preprocessor (``model.data_preprocessor``,
    else the top-level ``data_preprocessor`` that mmpretrain configs use), on BGR-loaded
    images: ``rgb`` is True when the preprocessor converts them to RGB. None when the config
    sets no mean/std.

    Args:
        cfg: a :class:`Config`, a config dict, or a config's text.
    """
    if isinstance(cfg, str):
        cfg = Config.fromstring(cfg, '.py')
    model = cfg.get('model') or {}
    pre = model.get('data_preprocessor') or cfg.get('data_preprocessor') or {}
    if pre.get('mean') is None or pre.get('std') is None:
        return None
    rgb = bool(pre.get('to_rgb', False) or pre.get('bgr_to_rgb', False))
    return dict(mean=[float(v) for v in pre['mean']], std=[float(v) for v in pre['std']],
                rgb=rgb)


def normalization_of_checkpoint(checkpoint: dict) -> Optional[dict]:
    """The normalisation a checkpoint's weights were trained with: its
    ``meta['normalization']``, else the data preprocessor of its ``meta['cfg']``; None when
    it records neither (e.g. a foreign checkpoint)."""
    meta = checkpoint.get('meta') or {} if isinstance(checkpoint, dict) else {}
    if isinstance(meta.get('normalization'), dict):
        return meta['normalization']
    if meta.get('cfg'):
        return normalization_of_config(meta['cfg'])
    return None


def describe(norm: dict) -> str:
    """``RGB, mean [123.7, 116.3, 103.5], std [58.4, 57.1, 57.4]``."""
    def show(values: Sequence[float]) -> str:
        return '[' + ', '.join(f'{v:.4g}' for v in values) + ']'
    return f"{'RGB' if norm['rgb'] else 'BGR'}, mean {show(norm['mean'])}, std {show(norm['std'])}"


def same_normalization(a: dict, b: dict, atol: float = 1e-3) -> bool:
    """Equal channel order, means and stds (to ``atol`` on the 0-255 scale)."""
    return (bool(a['rgb']) == bool(b['rgb']) and len(a['mean']) == len(b['mean'])
            and all(abs(x - y) <= atol for x, y in zip(a['mean'], b['mean']))
            and all(abs(x - y) <= atol for x, y in zip(a['std'], b['std'])))


def mismatch_message(trained: dict, used: dict, checkpoint: str) -> str:
    """The error a mismatch gets: both normalisations and the lines that fix it."""
    return (f'input normalisation mismatch: the backbone in {checkpoint} was trained on '
            f'{describe(trained)}, but this config\'s data preprocessor gives it '
            f'{describe(used)}. Its features would be silently wrong. Set the same '
            f'normalisation, e.g. model = dict(data_preprocessor=dict(mean={trained["mean"]}, '
            f'std={trained["std"]}, bgr_to_rgb={trained["rgb"]})) (mmpretrain: to_rgb), or '
            f'pass NormalizationCheckHook(on_mismatch=\'warn\') if this is intended.')

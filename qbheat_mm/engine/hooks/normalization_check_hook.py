"""Stop a downstream run whose data preprocessor normalises inputs unlike the backbone's
pretraining (a silent wrong result otherwise)."""
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmpretrain.registry import HOOKS

from ...checkpoint import load_local_checkpoint
from ...converters.input_normalization import (NormalizationMismatchError, describe,
                                               mismatch_message, normalization_of_checkpoint,
                                               normalization_of_config, same_normalization)


def pretrained_checkpoint(model_cfg: dict) -> Optional[str]:
    """The file of ``model.backbone.init_cfg`` (``Pretrained``), if any."""
    init_cfg = (model_cfg.get('backbone') or {}).get('init_cfg')
    for item in init_cfg if isinstance(init_cfg, list) else [init_cfg]:
        if isinstance(item, dict) and item.get('type') == 'Pretrained' and item.get('checkpoint'):
            return item['checkpoint']
    return None


@HOOKS.register_module()
class NormalizationCheckHook(Hook):
    """Before the run, compare the config's data preprocessor (mean, std, RGB/BGR) with the
    normalisation the backbone checkpoint (``model.backbone.init_cfg.checkpoint``) was
    trained with, as recorded in its meta (``extract_backbone.py``, the Mobile-Former
    converter and every training checkpoint record it).

    Args:
        on_mismatch (str): ``'error'`` (default) raises
            :class:`NormalizationMismatchError` naming both normalisations and the fix;
            ``'warn'`` logs the same text as a warning and goes on.
    """

    priority = 'VERY_HIGH'

    def __init__(self, on_mismatch: str = 'error') -> None:
        if on_mismatch not in ('error', 'warn'):
            raise ValueError(f"on_mismatch must be 'error' or 'warn', not {on_mismatch!r}")
        self.on_mismatch = on_mismatch

    def before_run(self, runner) -> None:
        self.check(runner.cfg)

    def check(self, cfg) -> Optional[bool]:
        """True when they agree, False on a (warned) mismatch, None when there is nothing
        to compare (no pretrained checkpoint, or one that records no normalisation)."""
        path = pretrained_checkpoint(cfg.get('model') or {})
        if path is None or '://' in str(path):
            return None
        if not osp.isfile(path):     # e.g. tools/test.py, whose load_from holds the weights
            print_log(f'NormalizationCheckHook: {path} not found; not checked', logger='current',
                      level=30)
            return None
        used = normalization_of_config(cfg)
        trained = normalization_of_checkpoint(load_local_checkpoint(path, map_location='cpu'))
        if used is None or trained is None:
            print_log(f'NormalizationCheckHook: {path} records no input normalisation; not '
                      'checked (the backbones of this plugin were trained on '
                      f'{describe(trained) if trained else "the ImageNet mean/std, RGB"})',
                      logger='current')
            return None
        if same_normalization(trained, used):
            print_log(f'NormalizationCheckHook: inputs normalised as in pretraining '
                      f'({describe(used)})', logger='current')
            return True
        message = mismatch_message(trained, used, path)
        if self.on_mismatch == 'error':
            raise NormalizationMismatchError(message)
        print_log(message, logger='current', level=30)
        return False

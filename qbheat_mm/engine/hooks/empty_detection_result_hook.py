"""Explain an empty detection result (mmdet logs only 'The testing results of the whole dataset
is empty' and returns no metrics) at validation time, as tools/test.py does at test time."""
from typing import Dict, Optional

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS

from ...utils.config_walk import nested_dicts


def empty_result_message(cfg) -> str:
    """What mmdet's 'The testing results of the whole dataset is empty' means, with the
    score-threshold keys of ``cfg.model`` to lower."""
    keys = {'.'.join(filter(None, ('model', path, 'score_thr'))): d['score_thr']
            for path, d in nested_dicts(cfg.model) if 'score_thr' in d}
    keys = keys or {'model.test_cfg.score_thr': '?'}
    shown = ', '.join(f'{k}={v}' for k, v in keys.items())
    lower = ' '.join(f'{k}=0.0' for k in keys)
    return ('error: empty result: the detector kept no box on any test image, so there is no '
            f'AP table. Every box scored below its threshold ({shown}): the detector is '
            'untrained or trained far too briefly (a few iterations), or the checkpoint does '
            'not match the config (check the load warnings above). Train longer; to see the '
            f'(low) scores of an early model anyway, add --cfg-options {lower}')


@HOOKS.register_module()
class EmptyDetectionResultHook(Hook):
    """After a validation epoch of an mmdet model that returned no metrics, log why (the
    detector kept no box above its score threshold) and which option shows the low scores.
    ``tools/train.py`` adds it to mmdet configs that validate."""

    priority = 'LOW'

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if not metrics:
            explanation = empty_result_message(runner.cfg).replace('error: empty result',
                                                                   'empty validation result')
            runner.logger.warning(explanation.replace(
                'Train longer', 'This is expected early in training; it should pass as the '
                'detector trains. Otherwise train longer'))

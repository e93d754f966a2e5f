"""Stop training at the first NaN/Inf loss, naming the iteration."""
import math

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class InvalidLossStopHook(Hook):
    """Raise ``FloatingPointError`` as soon as the summed loss is NaN or Inf.

    It runs before the checkpoint hook of the same iteration, so the last
    saved checkpoint is a healthy one to resume or restart from.
    """

    priority = 'ABOVE_NORMAL'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not outputs or 'loss' not in outputs:
            return
        value = outputs['loss'].item()
        if not math.isfinite(value):
            raise FloatingPointError(
                f'loss is {value} at iteration {runner.iter + 1} (epoch {runner.epoch + 1}); '
                'training stopped. Lower the learning rate or enable gradient clipping '
                '(optim_wrapper.clip_grad), then resume from the last checkpoint in '
                f'{runner.work_dir} with --resume')

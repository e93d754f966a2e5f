"""Write QB-Heat reconstruction pictures while training."""
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpretrain.registry import HOOKS

from ...visualization import VIEWS, reconstruction_grid, save_png


@HOOKS.register_module()
class QBHeatVisualizationHook(Hook):
    """Every ``interval`` iterations (and after the first), render the
    input | visible quarter | reconstruction | target grid of a fixed batch
    (the first ``num_images`` images of the first training batch) to
    ``{work_dir}/vis/iter_{n}.png``, and to TensorBoard / W&B when the
    runner's visualizer has those backends.

    Args:
        interval (int): Iterations between pictures.
        num_images (int): Images in the picture.
        out_dir (str, optional): Folder for the PNGs; defaults to
            ``{work_dir}/vis``.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 500, num_images: int = 4,
                 out_dir: Optional[str] = None, view: str = 'denormalised') -> None:
        if interval <= 0 or num_images <= 0:
            raise ValueError('QBHeatVisualizationHook: interval and num_images must be positive')
        if view not in VIEWS:
            raise ValueError(f'QBHeatVisualizationHook: view={view!r}; choose one of {VIEWS}')
        self.view = view
        self.interval = interval
        self.num_images = num_images
        self.out_dir = out_dir
        self._batch = None

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self._batch is None and data_batch is not None:
            self._batch = {k: v[:self.num_images] for k, v in data_batch.items()}
        step = runner.iter + 1
        if self._batch is None or not (step == 1 or self.every_n_train_iters(runner,
                                                                             self.interval)):
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        inputs = model.data_preprocessor(self._batch, False)['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        grid, _ = reconstruction_grid(model, inputs, view=self.view)
        out_dir = self.out_dir or osp.join(runner.work_dir, 'vis')
        save_png(grid, osp.join(out_dir, f'iter_{step:06d}.png'))
        for name in ('TensorboardVisBackend', 'WandbVisBackend'):
            backend = runner.visualizer.get_backend(name)
            if backend is not None:
                backend.add_image('qbheat_reconstruction', grid, step=step)

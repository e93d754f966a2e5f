"""Validation of a self-supervised model by kNN on its frozen, pooled backbone features."""
import time
from typing import Dict, List, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import ValLoop
from mmengine.runner.amp import autocast
from mmpretrain.registry import LOOPS
from torch.utils.data import DataLoader

from ...models.utils import pooled_embedding


@LOOPS.register_module()
class KNNValLoop(ValLoop):
    """mmengine's validation loop for any self-supervised model of the plugin (or of
    mmpretrain): pooled backbone features -> :class:`KNNAccuracy`.

    Each validation first embeds the labelled memory set (``memory_dataloader``, the
    train split), then the query set (``val_dataloader``, the val split); every
    data sample gets ``knn_feat`` (the l2-normalised global average pool of the
    backbone's last map, (C, )) and ``knn_memory``, and the evaluator (e.g.
    ``dict(type='KNNAccuracy', k=20, temperature=0.07)``) scores the queries. The
    model's ``data_preprocessor`` normalises the batches; a list of views takes
    the first. Metrics reach the logger (``knn/top1``, ``knn/top5`` in the JSON
    log, TensorBoard, ...) through the usual ``after_val_epoch`` hooks. Under DDP
    each process embeds its share and the metric gathers them.

    Args:
        runner: The runner.
        dataloader (DataLoader | dict): Query set (``val_dataloader``).
        evaluator: ``val_evaluator``.
        memory_dataloader (DataLoader | dict): Labelled memory set, built like
            ``val_dataloader`` (no shuffling, a deterministic pipeline).
        fp16 (bool): Autocast the forward. Defaults to False.
        log_interval (int): Memory batches between progress lines. Defaults to 50.
    """

    def __init__(self, runner, dataloader: Union[DataLoader, Dict], evaluator,
                 memory_dataloader: Union[DataLoader, Dict], fp16: bool = False,
                 log_interval: int = 50) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        if isinstance(memory_dataloader, dict):
            memory_dataloader = runner.build_dataloader(memory_dataloader, seed=runner.seed)
        self.memory_dataloader = memory_dataloader
        self.log_interval = log_interval

    def run(self) -> dict:
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        start = time.time()
        total = len(self.memory_dataloader)
        for idx, data_batch in enumerate(self.memory_dataloader):
            self.evaluator.process(data_samples=self.embed(data_batch, memory=True),
                                   data_batch=data_batch)
            if (idx + 1) % self.log_interval == 0 or idx + 1 == total:
                print_log(f'kNN memory set: {idx + 1}/{total} batches, '
                          f'{time.time() - start:.0f} s', logger='current')
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        print_log(f'kNN evaluation took {time.time() - start:.1f} s', logger='current')
        self.runner.call_hook('after_val_epoch', metrics=metrics)
        self.runner.call_hook('after_val')
        return metrics

    @torch.no_grad()
    def run_iter(self, idx: int, data_batch: dict) -> None:
        self.runner.call_hook('before_val_iter', batch_idx=idx, data_batch=data_batch)
        samples = self.embed(data_batch, memory=False)
        self.evaluator.process(data_samples=samples, data_batch=data_batch)
        self.runner.call_hook('after_val_iter', batch_idx=idx, data_batch=data_batch,
                              outputs=samples)

    @torch.no_grad()
    def embed(self, data_batch: dict, memory: bool) -> List:
        """Preprocess one batch, embed it with the backbone and tag its data samples."""
        model = self.runner.model.module if is_model_wrapper(self.runner.model) \
            else self.runner.model
        data = model.data_preprocessor(data_batch, False)
        inputs: Union[torch.Tensor, Sequence[torch.Tensor]] = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        with autocast(enabled=self.fp16):
            feats = pooled_embedding(model.backbone, inputs, type(self).__name__)
        feats = F.normalize(feats.float(), dim=1)
        samples = data['data_samples']
        for sample, feat in zip(samples, feats):
            sample.set_field(feat, 'knn_feat')
            sample.set_field(memory, 'knn_memory')
        return samples

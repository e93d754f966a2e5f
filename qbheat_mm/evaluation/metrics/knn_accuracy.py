"""Weighted k-nearest-neighbour accuracy of frozen features (Wu et al. 2018; DINO, LEWEL)."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather_object, broadcast_object_list, is_main_process
from mmengine.evaluator import BaseMetric
from mmpretrain.registry import METRICS


def weighted_knn(memory: torch.Tensor, memory_labels: torch.Tensor, query: torch.Tensor,
                 k: int = 20, temperature: float = 0.07, num_classes: Optional[int] = None,
                 topk: Sequence[int] = (1, 5), chunk: int = 1024) -> torch.Tensor:
    """Class rankings of a weighted kNN classifier for every query.

    Cosine similarity between l2-normalised features; each of the k nearest memory
    samples votes for its class with weight exp(sim / temperature); the classes are
    ranked by their summed votes.

    Args:
        memory (Tensor): (N, C) features of the labelled memory set.
        memory_labels (Tensor): (N, ) class indices.
        query (Tensor): (M, C) features to classify.
        k (int): Neighbours. Defaults to 20.
        temperature (float): Vote temperature. Defaults to 0.07.
        num_classes (int, optional): Defaults to ``memory_labels.max() + 1``.
        topk (sequence of int): Which top-k rankings to return.
        chunk (int): Queries per similarity block (bounds memory to chunk x N).

    Returns:
        Tensor: (M, max(topk)) predicted classes, best first.
    """
    memory = F.normalize(memory.float(), dim=1)
    query = F.normalize(query.float(), dim=1)
    num_classes = num_classes or int(memory_labels.max()) + 1
    k = min(k, memory.size(0))
    out = []
    for start in range(0, query.size(0), chunk):
        sims, idx = (query[start:start + chunk] @ memory.T).topk(k, dim=1)
        votes = torch.zeros(sims.size(0), num_classes, device=sims.device)
        votes.scatter_add_(1, memory_labels[idx], (sims / temperature).exp())
        out.append(votes.topk(min(max(topk), num_classes), dim=1).indices)
    return torch.cat(out)


@METRICS.register_module()
class KNNAccuracy(BaseMetric):
    """kNN top-1 / top-5 (%) of the query set against a labelled memory set.

    Fed by :class:`KNNValLoop`: every processed data sample carries ``knn_feat``
    (C, ), ``knn_memory`` (True for the memory set, the train split) and its
    ``gt_label``. Under DDP the samples of all processes are gathered and
    de-duplicated by (set, ``sample_idx``), so the padding of the distributed
    sampler does not count twice and 2 processes give 1 process's numbers.

    Args:
        k (int): Neighbours. Defaults to 20 (LEWEL's monitor; public Imagenette
            tables use k = 200, t = 0.1).
        temperature (float): Defaults to 0.07.
        topk (tuple): Accuracies to report. Defaults to (1, 5).
        prefix (str): Key prefix. Defaults to ``'knn'``: ``knn/top1``, ``knn/top5``.
        collect_device (str): Defaults to ``'cpu'``.
    """

    default_prefix = 'knn'

    def __init__(self, k: int = 20, temperature: float = 0.07, topk: Sequence[int] = (1, 5),
                 prefix: Optional[str] = None, collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if k < 1 or temperature <= 0:
            raise ValueError(f'KNNAccuracy: k={k} must be >= 1 and temperature={temperature} '
                             f'> 0')
        self.k, self.temperature, self.topk = k, temperature, tuple(topk)

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            get = sample.get if hasattr(sample, 'get') else sample.__getitem__
            feat, label = get('knn_feat'), get('gt_label')
            if feat is None or label is None:
                raise ValueError('KNNAccuracy needs knn_feat and gt_label in every data '
                                 "sample: run it with val_cfg=dict(type='KNNValLoop', ...) "
                                 'on a labelled dataset (ImageNet layout or an annotation '
                                 'file with labels)')
            self.results.append((bool(get('knn_memory')), int(get('sample_idx')),
                                 feat.detach().float().cpu(), int(torch.as_tensor(label)[0])))

    def evaluate(self, size: int) -> dict:
        """Gather the samples of every process (de-duplicated), compute, broadcast."""
        everyone = [r for part in all_gather_object(self.results) for r in part]
        metrics = [None]
        if is_main_process():
            unique = {}
            for is_memory, idx, feat, label in everyone:
                unique[(is_memory, idx)] = (feat, label)
            metrics = [self.compute_metrics(
                [(m, i, f, y) for (m, i), (f, y) in sorted(unique.items())])]
            if self.prefix:
                metrics = [{f'{self.prefix}/{k}': v for k, v in metrics[0].items()}]
        broadcast_object_list(metrics)
        self.results.clear()
        return metrics[0]

    def compute_metrics(self, results: List) -> Dict[str, float]:
        memory = [(f, y) for m, _, f, y in results if m]
        query = [(f, y) for m, _, f, y in results if not m]
        if not memory or not query:
            raise ValueError(f'KNNAccuracy: got {len(memory)} memory and {len(query)} query '
                             f'samples; KNNValLoop needs a non-empty memory_dataloader and '
                             f'val_dataloader')
        mem_x = torch.stack([f for f, _ in memory])
        mem_y = torch.tensor([y for _, y in memory])
        q_x = torch.stack([f for f, _ in query])
        q_y = torch.tensor([y for _, y in query])
        num_classes = int(max(mem_y.max(), q_y.max())) + 1
        pred = weighted_knn(mem_x, mem_y, q_x, self.k, self.temperature, num_classes,
                            self.topk)
        hits = pred == q_y[:, None]
        return {f'top{t}': 100.0 * hits[:, :t].any(dim=1).float().mean().item()
                for t in self.topk}

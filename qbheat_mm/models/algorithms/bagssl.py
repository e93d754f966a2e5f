"""BagSSL (Chen, Bardes, Li, LeCun, "Bag of Image Patch Embedding Behind the Success of
Self-Supervised Learning", TMLR 2023; v1 "Intra-Instance VICReg")."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..utils import check_patch_side, last_feature_map, size_runs


@MODELS.register_module()
class BagSSL(BaseSelfSupervisor):
    """A bag of n independently augmented fixed-scale patches per image, all mutual positives.

    n views (patches) -> backbone (one call per run of equal-size views) ->
    expander neck (GAP + VICReg's 3-layer MLP) -> (B, n, d) -> head
    (:class:`VICRegHead`: intra-instance VICReg). The image representation
    is the backbone's pooled features; at evaluation the mean over many
    patches (:class:`BagOfPatchesClassifier`).

    Args:
        backbone (dict): Any backbone whose last output is a (B, C, h, w) map.
        neck (dict): Expander, e.g. ``NonLinearNeck(num_layers=3, with_avg_pool=True)``.
        head (dict): :class:`VICRegHead` config.
        feature_stride (int): Output stride of the backbone's last map; views
            smaller than it leave no feature cell and are refused.
        min_views (int): Fewest views per image (2: a bag of one has no positive).
        joint_views (bool): One backbone + expander call per run of consecutive views of
            equal size, so BatchNorm statistics are shared by those views (**design
            choice**, the default for bags of many small patches: fewer, larger calls).
            ``False`` calls backbone and expander once per view, so every view is
            normalised with its own batch statistics, as the official VICReg code does
            (the default of :class:`VICReg`).
        pretrained, data_preprocessor, init_cfg: as :class:`BaseSelfSupervisor`.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 feature_stride: int = 32,
                 min_views: int = 2,
                 joint_views: bool = True,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.feature_stride = feature_stride
        self.min_views = min_views
        self.joint_views = joint_views

    def check_views(self, inputs) -> Sequence[torch.Tensor]:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or len(inputs) < self.min_views:
            got = (f'{len(inputs)} view(s)' if isinstance(inputs, (list, tuple)) else
                   f'one tensor of shape {tuple(inputs.shape)}')
            raise ValueError(
                f'{name} needs at least {self.min_views} views per image, got {got}; build '
                f"the train pipeline with dict(type='MultiView', num_views=n, ...), n >= "
                f'{self.min_views}')
        for view in inputs:
            check_patch_side(*view.shape[-2:], self.feature_stride, name)
        return inputs

    def embed(self, views: Sequence[torch.Tensor]) -> torch.Tensor:
        """n views of (B, 3, h_i, w_i) -> (B, n, d) expander outputs: one backbone call per
        run of consecutive views of equal size (as mmpretrain's SwAV does) when
        ``joint_views``, else one call per view."""
        embeddings = []
        runs = size_runs(views) if self.joint_views else [(i, i + 1) for i in range(len(views))]
        for start, end in runs:
            feats = last_feature_map(self.backbone(torch.cat(views[start:end])),
                                     type(self).__name__)
            embeddings.extend(self.neck((feats, ))[0].chunk(end - start))
        return torch.stack(embeddings, dim=1)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Intra-instance VICReg of one batch.

        Args:
            inputs (list[Tensor]): n views (B, 3, h, w).
            data_samples (list[DataSample]): unused.

        Returns:
            dict: ``loss_invariance``, ``loss_variance``, ``loss_covariance``.
        """
        return self.head.loss(self.embed(self.check_views(inputs)))

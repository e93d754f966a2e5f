"""GTSA (Lee et al., "Geometric Transformation Sensitive Architecture", arXiv 2304.08014):
self-supervised pretraining on scene images that keeps crop, multi-crop and rotation
information instead of discarding it."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.logging import MessageHub
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from ..utils import TargetEMA, feature_maps, output_shapes, size_runs

BOX_KEYS = ('gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot')
PIPELINE_FIX = ("use dict(type='GTSAMultiCrop', ...) followed by dict(type='PackInputs', "
                "algorithm_keys=['gtsa_gc_boxes', 'gtsa_all_boxes', 'gtsa_rot'])")


@MODELS.register_module()
class GTSA(BaseSelfSupervisor):
    """GTSA: an EMA teacher sees the global crops, the student all crops; losses are dense.

    n crops (globals first) -> student backbone (one call per crop size) -> stride-s map ->
    projector (:class:`GTSAProjector`) -> predictor (:class:`GTSAPredictor`); the teacher
    (EMA of backbone + projector) maps the n_g global crops. For every teacher crop g and
    student crop v != g (n_g (n - 1) pairs) :class:`GTSAHead` gives the rotated RoI crop loss
    and the patch-correspondence loss; :class:`GTSARotationHead` predicts every crop's
    rotation from the pooled last backbone map. Total:
    L = mean L_crop + lambda_pc mean L_pc + lambda_rot L_rot, with lambda_pc = 0 during the
    warm-up (``epoch <= pc_warmup_epochs`` from the message hub, or ``iter <
    pc_warmup_iters`` for iteration-based runs). Logged: ``loss_crop``, ``loss_pc``,
    ``loss_rot`` (each already weighted).

    Backbones: any whose outputs include a (B, C, H/s, W/s) map; ``feature_index`` picks it
    among the 4-D outputs (ViT-S/16 with ``out_type='featmap'``: its only map; MobileFormer
    or ResNet with ``out_indices=(3, 4)``: index 0, the stride-16 stage). The rotation head
    pools the last 4-D output (stride 32 for the CNNs).

    Args:
        backbone (dict): Backbone config.
        neck (dict): :class:`GTSAProjector` config (``in_channels`` = width of the map).
        head (dict): :class:`GTSAHead` config.
        predictor (dict): :class:`GTSAPredictor` config.
        rotation_head (dict): :class:`GTSARotationHead` config; ``in_channels`` is read from
            the backbone when left out.
        num_global (int): Global crops, the first views. Defaults to 2.
        feature_stride (int): Stride s of the dense map. Defaults to 16.
        feature_index (int): Which 4-D backbone output is the dense map. Defaults to 0.
        base_momentum (float): Teacher EMA momentum 1 - tau_0 (:class:`TargetEMA`), annealed
            to ``end_momentum``; 0.004 -> 0 is the official tau 0.996 -> 1.
        end_momentum (float): Defaults to 0.
        lambda_pc (float): Weight of the correspondence loss after warm-up. Defaults to 0.5.
        lambda_rot (float): Weight of the rotation loss. Defaults to 0.5.
        pc_warmup_epochs (int): lambda_pc is 0 while ``epoch <= pc_warmup_epochs`` (official
            10). Defaults to 10.
        pc_warmup_iters (int, optional): If set, lambda_pc is 0 while ``iter <
            pc_warmup_iters`` instead (iteration-based loops never advance the epoch).
        eval_teacher (bool): Keep the teacher in eval mode (official ViT: teacher without
            drop-path; for BN backbones it would also freeze the teacher's BN statistics).
            Defaults to False.
        probe_size (int): Side of the dummy input used at build time to check the maps and
            read the rotation head's width. Defaults to 64.
        pretrained, data_preprocessor, init_cfg: as :class:`BaseSelfSupervisor`.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 predictor: dict,
                 rotation_head: dict,
                 num_global: int = 2,
                 feature_stride: int = 16,
                 feature_index: int = 0,
                 base_momentum: float = 0.004,
                 end_momentum: float = 0.,
                 lambda_pc: float = 0.5,
                 lambda_rot: float = 0.5,
                 pc_warmup_epochs: int = 10,
                 pc_warmup_iters: Optional[int] = None,
                 eval_teacher: bool = False,
                 probe_size: int = 64,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.num_global, self.feature_stride = num_global, feature_stride
        self.feature_index = feature_index
        self.lambda_pc, self.lambda_rot = lambda_pc, lambda_rot
        self.pc_warmup_epochs, self.pc_warmup_iters = pc_warmup_epochs, pc_warmup_iters
        self.eval_teacher = eval_teacher
        rot_channels = self.probe_backbone(probe_size)
        self.predictor = MODELS.build(predictor)
        rotation_head = dict(rotation_head)
        if rotation_head.get('in_channels') is None:
            rotation_head['in_channels'] = rot_channels
        self.rotation_head = MODELS.build(rotation_head)
        self.target_net = TargetEMA(nn.Sequential(self.backbone, self.neck),
                                    momentum=base_momentum, end_momentum=end_momentum)

    def train(self, mode: bool = True) -> 'GTSA':
        super().train(mode)
        if self.eval_teacher:
            self.target_net.eval()
        return self

    # ---------------------------------------------------------------- backbone maps
    def maps(self, feats, size: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Backbone outputs of crops of side ``size`` -> (dense map (N, C, size/s, size/s),
        last map for the rotation head), with one clear error when the stride is wrong."""
        maps = feature_maps(feats)
        fix = (f"configure the backbone to return its stride-{self.feature_stride} map (e.g. "
               f"out_indices=(3, 4) for MobileFormer/ResNet, out_type='featmap' for "
               f"VisionTransformer) and point feature_index at it")
        if len(maps) <= self.feature_index:
            raise ValueError(
                f'GTSA needs a 4-D (N, C, h, w) backbone output number {self.feature_index}, '
                f'got outputs of shapes {output_shapes(feats)}; {fix}')
        dense = maps[self.feature_index]
        side = size // self.feature_stride
        if tuple(dense.shape[-2:]) != (side, side):
            raise ValueError(
                f'GTSA: a {size}x{size} crop gave a {tuple(dense.shape[-2:])} map at '
                f'feature_index {self.feature_index}, not the {side}x{side} of stride '
                f'{self.feature_stride}; {fix}, or set feature_stride to its real stride')
        return dense, maps[-1]

    def probe_backbone(self, size: int) -> int:
        """Check the backbone's maps on a dummy (1, 3, size, size) input at build time and
        return the width of its last map (the rotation head's input)."""
        was_training = self.backbone.training
        self.backbone.eval()
        with torch.no_grad():
            _, last = self.maps(self.backbone(torch.zeros(1, 3, size, size)), size)
        self.backbone.train(was_training)
        return last.shape[1]

    def check_crop_sizes(self, views: Sequence[torch.Tensor]) -> None:
        for view in views:
            h, w = view.shape[-2:]
            if h != w or h < self.feature_stride or h % self.feature_stride:
                raise ValueError(
                    f'GTSA: every crop must be square with a side that is a multiple of the '
                    f'feature stride {self.feature_stride} (at least one map cell), got '
                    f'{h}x{w}; set GTSAMultiCrop global_size/local_size to multiples of '
                    f'{self.feature_stride}')

    # ---------------------------------------------------------------- data samples
    def geometry(self, data_samples: List[DataSample], num_views: int, device
                 ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Stack the boxes and rotations of the batch: (B, n_g, n, 4), (B, n, n_g, 4), (B, n)."""
        if not data_samples or any(not all(k in s for k in BOX_KEYS) for s in data_samples):
            raise ValueError(f'GTSA needs the crop boxes and rotations {list(BOX_KEYS)} in '
                             f'every data sample; {PIPELINE_FIX}')
        stacked = [torch.as_tensor(np.stack([np.asarray(s.get(k)) for s in data_samples]),
                                   device=device) for k in BOX_KEYS]
        gc, all_, rot = stacked
        n_g = self.num_global
        expected = ((n_g, num_views, 4), (num_views, n_g, 4), (num_views, ))
        for key, value, shape in zip(BOX_KEYS, stacked, expected):
            if tuple(value.shape[1:]) != shape:
                raise ValueError(
                    f'GTSA: {key} has shape {tuple(value.shape[1:])} per image but the batch '
                    f'has {num_views} crops and num_global={n_g}, so {shape} is expected; the '
                    f'boxes must come from the same GTSAMultiCrop that made the crops (keep '
                    f'num_global equal in the transform and the model)')
        if rot.numel() and (rot.min() < 0 or rot.max() > 3):
            raise ValueError(f'GTSA: gtsa_rot must hold quarter turns in 0..3, got '
                             f'{sorted(set(rot.flatten().tolist()))}; {PIPELINE_FIX}')
        return gc.float(), all_.float(), rot.long()

    # ---------------------------------------------------------------- forward
    def pc_weight(self) -> float:
        """lambda_pc at the current epoch / iteration of the message hub."""
        hub = MessageHub.get_current_instance()
        if self.pc_warmup_iters is not None:
            return 0. if hub.get_info('iter', 0) < self.pc_warmup_iters else self.lambda_pc
        return 0. if hub.get_info('epoch', 0) <= self.pc_warmup_epochs else self.lambda_pc

    def student(self, views: Sequence[torch.Tensor]
                ) -> Tuple[List[torch.Tensor], torch.Tensor]:
        """Predictor maps of every crop and the pooled last map (B, n, C), one backbone call
        per run of consecutive equal-size crops."""
        dense_out, pooled = [], []
        for start, end in size_runs(views):
            dense, last = self.maps(self.backbone(torch.cat(views[start:end])),
                                    views[start].shape[-1])
            dense_out.extend(self.predictor(self.neck(dense)).chunk(end - start))
            pooled.extend(last.mean(dim=(2, 3)).chunk(end - start))
        return dense_out, torch.stack(pooled, dim=1)

    @torch.no_grad()
    def teacher(self, views: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """Projector maps of the global crops from the EMA teacher."""
        backbone, projector = self.target_net.module
        size = views[0].shape[-1]
        dense, _ = self.maps(backbone(torch.cat(list(views))), size)
        return list(projector(dense).chunk(len(views)))

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Loss of one batch.

        Args:
            inputs (list[Tensor]): n crops (B, 3, S_v, S_v), the n_g globals first.
            data_samples (list[DataSample]): B samples holding ``gtsa_gc_boxes`` (n_g, n, 4),
                ``gtsa_all_boxes`` (n, n_g, 4) and ``gtsa_rot`` (n, ).

        Returns:
            dict: ``loss_crop``, ``loss_pc`` and ``loss_rot``.
        """
        n_g = self.num_global
        if not isinstance(inputs, (list, tuple)) or len(inputs) < max(n_g, 2):
            got = len(inputs) if isinstance(inputs, (list, tuple)) else 1
            raise ValueError(f'GTSA needs the num_global={n_g} global crops (and at least 2 '
                             f'crops) per image, got {got}; {PIPELINE_FIX}')
        self.check_crop_sizes(inputs)
        gc_boxes, all_boxes, rot = self.geometry(data_samples, len(inputs), inputs[0].device)
        if len({tuple(v.shape[-2:]) for v in inputs[:n_g]}) != 1:
            raise ValueError('GTSA: the global crops must share one size (the teacher maps '
                             'them in one call); set GTSAMultiCrop global_size once')

        student, pooled = self.student(inputs)
        self.target_net.update_parameters(nn.Sequential(self.backbone, self.neck))
        teacher = self.teacher(inputs[:n_g])

        crop, corr, pairs = 0., 0., 0
        pc_weight = self.pc_weight()
        for g in range(n_g):
            for v in range(len(inputs)):
                if v == g:
                    continue
                crop = crop + self.head.crop_loss(student[v], teacher[g], all_boxes[:, v, g],
                                                  gc_boxes[:, g, v], rot[:, v] - rot[:, g])
                if pc_weight:
                    corr = corr + self.head.correspondence_loss(student[v], teacher[g])
                pairs += 1
        loss_rot = self.rotation_head.loss(pooled.flatten(0, 1), rot.flatten())
        zero = pooled.new_zeros(())
        return dict(loss_crop=crop / pairs,
                    loss_pc=pc_weight * corr / pairs if pc_weight else zero,
                    loss_rot=self.lambda_rot * loss_rot)

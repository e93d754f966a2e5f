"""LEWEL (Huang et al., "Learning Where to Learn in Cross-View Self-Supervised Learning",
CVPR 2022), BYOL flavour (LEWEL_B, the released one)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from ..utils import TargetEMA

Embeddings = Tuple[torch.Tensor, torch.Tensor]


@MODELS.register_module()
class LEWEL(BaseSelfSupervisor):
    """LEWEL_B: BYOL whose projector also yields spatial alignment maps.

    Two views -> online backbone -> :class:`LEWELNeck` (global (B, D) and
    aligned (B, K, D) embeddings) -> :class:`LEWELHead` (predictors + loss);
    the target is an EMA of backbone + neck (:class:`TargetEMA`) that computes
    its own maps from its own view. Each iteration first moves the target
    towards the online network as the previous optimiser step left it, then
    runs the target, then the online network (the official order: at step 0
    the target holds the initial weights and BN statistics). The loss sums both
    directions, as the official code does:
    L = sum_{(i, j) in {(1, 2), (2, 1)}} alpha L_g(i->j) + (1 - alpha) L_a(i->j),
    logged as ``loss_global`` and ``loss_aligned``.

    Args:
        backbone (dict): Any backbone whose last output is a (B, C, H, W) map.
        neck (dict): :class:`LEWELNeck` config.
        head (dict): :class:`LEWELHead` config.
        base_momentum (float): EMA momentum 1 - tau_0 of the target (mmpretrain's
            :class:`CosineEMA` convention), cosine-annealed to ``end_momentum``
            over ``max_iters``. 0.004 is BYOL's tau_0 = 0.996 (the official SyncBN
            recipe); 0.02 is tau_0 = 0.98 (the official EMAN recipe).
        end_momentum (float): Final momentum (0 = tau of 1). Defaults to 0.
        eman (bool): EMAN target (Cai et al., CVPR 2021; the official 100/200-epoch
            checkpoints): the target runs in eval mode and its BN statistics are
            EMA-averaged from the online network's like the weights. When False
            (BYOL), the target uses batch statistics and its buffers are copied.
        pretrained (str, optional): Checkpoint to load.
        data_preprocessor (dict, optional): Defaults to ``SelfSupDataPreprocessor``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.004,
                 end_momentum: float = 0.,
                 eman: bool = False,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.eman = eman
        self.target_net = TargetEMA(nn.Sequential(self.backbone, self.neck),
                                    momentum=base_momentum, end_momentum=end_momentum,
                                    update_buffers=eman)

    def train(self, mode: bool = True) -> 'LEWEL':
        """The runner calls ``train()`` every epoch; an EMAN target stays in eval mode."""
        super().train(mode)
        if self.eman:
            self.target_net.eval()
        return self

    def check_views(self, inputs: Union[torch.Tensor, Sequence[torch.Tensor]]
                    ) -> Sequence[torch.Tensor]:
        """Two (B, 3, H, W) views, or one clear error naming the pipeline fix."""
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            got = (f'{len(inputs)} views' if isinstance(inputs, (list, tuple)) else
                   f'one tensor of shape {tuple(inputs.shape)}')
            raise ValueError(
                f'{type(self).__name__} needs two augmented views of every image, got {got}; '
                f"build the train pipeline with dict(type='MultiView', num_views=[1, 1], "
                f'transforms=[view_pipeline1, view_pipeline2]) (or num_views=2)')
        return inputs

    def embed(self, view: torch.Tensor) -> Embeddings:
        """Online global (B, D) and aligned (B, K, D) embeddings of one view."""
        return self.neck(self.backbone(view))

    def pair_losses(self, online: Sequence[Embeddings], target: Sequence[Embeddings],
                    *head_args) -> Dict[str, torch.Tensor]:
        """Both directions (online view i against target view j), summed term by term;
        ``head_args`` go to every ``head.loss`` call (LEWEL_M's queue)."""
        l12 = self.head.loss(online[0], target[1], *head_args)
        l21 = self.head.loss(online[1], target[0], *head_args)
        return {name: l12[name] + l21[name] for name in l12}

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Loss of one batch of two views.

        Args:
            inputs (list[Tensor]): two (B, 3, H, W) views.
            data_samples (list[DataSample]): unused.

        Returns:
            dict: ``loss_global`` and ``loss_aligned`` (their sum is optimised).
        """
        views = self.check_views(inputs)
        # The official order: the target is updated from the online state as the last
        # optimiser step left it (step 0: the initial weights and BN statistics) and run
        # before this iteration's online forward changes the online BN statistics.
        with torch.no_grad():
            self.target_net.update_parameters(nn.Sequential(self.backbone, self.neck))
            target = [self.target_net(view) for view in views]
        online = [self.embed(view) for view in views]
        return self.pair_losses(online, target)

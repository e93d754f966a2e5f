"""LEWEL_B's head: the global and aligned predictors and the BYOL loss 2 - 2 cos."""
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..necks.lewel_neck import lewel_mlp


@MODELS.register_module()
class LEWELHead(BaseModule):
    """Predict the target's global and aligned embeddings from the online ones.

    The predictor q maps the online global embedding, the separate aligned
    predictor q_a each of the K aligned embeddings (same k as the target's:
    map k means the same in both views since the weights are shared). Each
    pair scores ``loss`` (default 2 - 2 cos of the l2-normalised vectors,
    averaged over the B rows, resp. the B*K pairs), weighted by ``alpha``
    and 1 - ``alpha``.

    Args:
        in_channels (int): Embedding width D of the neck. Defaults to 256.
        hid_channels (int): Hidden width of both predictors. Defaults to 4096.
        alpha (float): Weight of the global term; the aligned term gets
            1 - alpha. Defaults to 0.5 (the official ``loss_weight``).
        loss (dict): Pairwise loss on (..., D) predictions and targets.
            Defaults to ``CosineSimilarityLoss(shift_factor=2, scale_factor=2)``.
        norm_cfg (dict): Norm of the predictors' hidden layer.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 256,
                 hid_channels: int = 4096,
                 alpha: float = 0.5,
                 loss: dict = dict(type='CosineSimilarityLoss', shift_factor=2.,
                                   scale_factor=2.),
                 norm_cfg: dict = dict(type='SyncBN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0. <= alpha <= 1.:
            raise ValueError(f'LEWELHead: alpha={alpha} must lie in [0, 1]')
        self.alpha = alpha
        self.predictor = MODELS.build(lewel_mlp(in_channels, hid_channels, in_channels,
                                                norm_cfg))
        self.aligned_predictor = MODELS.build(lewel_mlp(in_channels, hid_channels,
                                                        in_channels, norm_cfg))
        self.loss_module = MODELS.build(loss)

    def predict_aligned(self, aligned: torch.Tensor) -> torch.Tensor:
        """(B, K, D) aligned embeddings -> (B, K, D) predictions (one batched call)."""
        b, k, d = aligned.shape
        return self.aligned_predictor((aligned.reshape(b * k, d), ))[0].reshape(b, k, -1)

    def loss(self, online: Tuple[torch.Tensor, torch.Tensor],
             target: Tuple[torch.Tensor, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """One direction (online view i -> target view j).

        Args:
            online (tuple): online (z_g (B, D), U (B, K, D)) of view i.
            target (tuple): target (z_g' (B, D), U' (B, K, D)) of view j.

        Returns:
            dict: ``loss_global`` = alpha * L_g and ``loss_aligned`` = (1 - alpha) * L_a.
        """
        (z_g, aligned), (t_g, t_aligned) = online, target
        if aligned.shape != t_aligned.shape:
            raise ValueError(f'LEWELHead: online aligned embeddings {tuple(aligned.shape)} '
                             f'and target {tuple(t_aligned.shape)} differ')
        loss_g = self.loss_module(self.predictor((z_g, ))[0], t_g.detach())
        loss_a = self.loss_module(self.predict_aligned(aligned), t_aligned.detach())
        return dict(loss_global=self.alpha * loss_g, loss_aligned=(1 - self.alpha) * loss_a)

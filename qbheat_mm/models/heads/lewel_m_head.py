"""LEWEL_M's head: MoCo-v2 InfoNCE on the global embedding and on every aligned embedding."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather, get_rank
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class LEWELMHead(BaseModule):
    """Contrastive LEWEL (the paper's LEWEL_M; no official code exists).

    * Global term: MoCo-v2's InfoNCE: the key of the same image is the
      positive, the queue of past keys (D, L) gives the negatives.
    * Aligned term (**design choice**): InfoNCE per map index k; the positive
      is the key encoder's aligned embedding k of the same image, the
      negatives are the aligned embeddings k of the other images of the
      global batch (gathered over processes). A queue per index would hold
      K times MoCo's queue; embeddings of other indices of the same image are
      not used as negatives, since neighbouring maps may cover the same part.

    Args:
        temperature (float): InfoNCE temperature. Defaults to 0.2 (MoCo v2).
        alpha (float): Weight of the global term; the aligned term gets
            1 - alpha. Defaults to 0.5.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, temperature: float = 0.2, alpha: float = 0.5,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0. <= alpha <= 1.:
            raise ValueError(f'LEWELMHead: alpha={alpha} must lie in [0, 1]')
        self.temperature = temperature
        self.alpha = alpha

    def loss(self, online: Tuple[torch.Tensor, torch.Tensor],
             target: Tuple[torch.Tensor, torch.Tensor],
             queue: torch.Tensor) -> Dict[str, torch.Tensor]:
        """One direction (query view i -> key view j).

        Args:
            online (tuple): queries (z_g (B, D), U (B, K, D)) of view i.
            target (tuple): keys (z_g' (B, D), U' (B, K, D)) of view j.
            queue (Tensor): (D, L) l2-normalised negative keys.

        Returns:
            dict: ``loss_global`` = alpha * L_g and ``loss_aligned`` = (1 - alpha) * L_a.
        """
        q_g, q_a = (F.normalize(t, dim=-1) for t in online)
        k_g, k_a = (F.normalize(t.detach(), dim=-1) for t in target)
        l_pos = (q_g * k_g).sum(dim=1, keepdim=True)                    # (B, 1)
        l_neg = q_g @ queue.detach()                                     # (B, L)
        logits = torch.cat((l_pos, l_neg), dim=1) / self.temperature
        loss_g = F.cross_entropy(logits, logits.new_zeros(len(logits), dtype=torch.long))
        # aligned: keys of the whole (gathered) batch, index by index
        keys = torch.cat(all_gather(k_a), dim=0)                         # (B_all, K, D)
        b, k, _ = q_a.shape
        sims = torch.einsum('bkd,nkd->kbn', q_a, keys) / self.temperature   # (K, B, B_all)
        labels = torch.arange(b, device=q_a.device) + b * get_rank()
        loss_a = F.cross_entropy(sims.reshape(k * b, -1), labels.repeat(k))
        return dict(loss_global=self.alpha * loss_g, loss_aligned=(1 - self.alpha) * loss_a)

"""LEWEL_M: LEWEL in its MoCo-v2 flavour (the paper's second variant; no official code)."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.dist import all_gather
from mmpretrain.registry import MODELS

from .lewel import LEWEL, Embeddings


@MODELS.register_module()
class LEWELM(LEWEL):
    """LEWEL_M: the LEWEL neck with MoCo-v2's momentum key encoder and queue.

    Two views -> online backbone + :class:`LEWELNeck` (queries) and the EMA key
    encoder (keys) -> :class:`LEWELMHead` (InfoNCE on the global embedding
    against the queue, per-index InfoNCE on the aligned embeddings against the
    other images of the batch). Symmetric: both views serve as query and key,
    and both views' global keys enter the queue. No predictor (MoCo v2 has none).

    Args:
        backbone, neck, head: as :class:`LEWEL` (head: :class:`LEWELMHead`).
        queue_len (int): Number of negative global keys. Defaults to 65536.
        feat_dim (int): Embedding width D (the neck's ``out_channels``).
        base_momentum (float): 1 - tau of the key encoder; 0.001 is MoCo's 0.999.
        end_momentum (float): Final momentum after cosine annealing. MoCo keeps
            it constant: pass ``end_momentum=base_momentum``. Defaults to 0.001.
        eman (bool): EMAN key encoder (eval-mode BN with EMA statistics), which
            replaces MoCo's shuffle BN. Defaults to True.
        other args: as :class:`LEWEL`.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 queue_len: int = 65536,
                 feat_dim: int = 256,
                 base_momentum: float = 0.001,
                 end_momentum: float = 0.001,
                 eman: bool = True,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, base_momentum=base_momentum,
                         end_momentum=end_momentum, eman=eman, pretrained=pretrained,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.queue_len = queue_len
        self.register_buffer('queue', F.normalize(torch.randn(feat_dim, queue_len), dim=0))
        self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor) -> None:
        """Replace the oldest entries of the (D, L) queue by the gathered (N, D) keys."""
        keys = F.normalize(torch.cat(all_gather(keys), dim=0), dim=1)
        n, ptr = keys.size(0), int(self.queue_ptr)
        if self.queue_len % n:
            raise ValueError(f'LEWELM: queue_len={self.queue_len} must be a multiple of the '
                             f'keys per step ({n} = 2 views x global batch); change queue_len')
        self.queue[:, ptr:ptr + n] = keys.T
        self.queue_ptr[0] = (ptr + n) % self.queue_len

    def pair_losses(self, online: Sequence[Embeddings],
                    target: Sequence[Embeddings]) -> Dict[str, torch.Tensor]:
        """Both directions against the queue as it was before this step, then enqueue both
        views' global keys."""
        losses = super().pair_losses(online, target, self.queue.clone())
        self.enqueue(torch.cat((target[0][0], target[1][0]), dim=0))
        return losses

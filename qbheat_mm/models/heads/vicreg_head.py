"""Head of BagSSL and VICReg: the VICReg loss over each image's bag of embeddings."""
from typing import Dict, Optional

import torch
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class VICRegHead(BaseModule):
    """Score a (B, n, d) bag of expander outputs with ``loss`` (:class:`VICRegLoss`).

    Args:
        loss (dict): Loss config. Defaults to ``VICRegLoss`` with VICReg's
            weights (25, 25, 1).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, loss: dict = dict(type='VICRegLoss'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.loss_module = MODELS.build(loss)

    def loss(self, embeddings: torch.Tensor) -> Dict[str, torch.Tensor]:
        """(B, n, d) -> ``loss_invariance``, ``loss_variance``, ``loss_covariance``."""
        return self.loss_module(embeddings)

"""VICReg's loss (Bardes, Ponce, LeCun, ICLR 2022) on a bag of n embeddings per image."""
from typing import Dict

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..utils.full_gather import gather_batch

INVARIANCE_MODES = ('pairwise', 'to_mean')


@MODELS.register_module()
class VICRegLoss(BaseModule):
    """Variance-invariance-covariance regularisation of n views (or patches) per image.

    For Z (B, n, d), with z_{b,i} the embedding of view i of image b:

    * invariance: ``'pairwise'`` (default) the mean squared difference over
      all ordered pairs i != j of views of one image, per dimension; at n = 2
      exactly VICReg's MSE. ``'to_mean'``: (1 / (B n d)) sum ||z_{b,i} - z_b||^2
      with z_b the mean of the bag (BagSSL's form); since
      sum_{i,j} ||z_i - z_j||^2 = 2n sum_i ||z_i - z_b||^2, the two differ by
      the factor 2n / (n - 1), absorbed in ``inv_weight`` (design choice);
    * variance: for every view index i, mean over the d dimensions of
      relu(gamma - sqrt(Var_b(z_{b,i}) + eps)), averaged over i;
    * covariance: for every view index i, the squared off-diagonal entries of
      the (d, d) covariance over the batch, summed and divided by d; VICReg
      adds the two branches' terms, so they are summed over i and scaled by
      2 / n (at n = 2 exactly VICReg's).

    Variance and covariance use the global batch: under DDP the embeddings
    are all-gathered (with gradients, :class:`FullGather`: the official
    VICReg rule) before the statistics; every process needs the same batch size.

    Args:
        inv_weight (float): lambda. Defaults to 25.
        var_weight (float): mu. Defaults to 25.
        cov_weight (float): nu. Defaults to 1.
        gamma (float): Target standard deviation. Defaults to 1.
        eps (float): Defaults to 1e-4.
        invariance (str): ``'pairwise'`` or ``'to_mean'``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, inv_weight: float = 25., var_weight: float = 25.,
                 cov_weight: float = 1., gamma: float = 1., eps: float = 1e-4,
                 invariance: str = 'pairwise', init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if invariance not in INVARIANCE_MODES:
            raise ValueError(f'VICRegLoss: invariance={invariance!r}; choose one of '
                             f'{INVARIANCE_MODES}')
        self.inv_weight, self.var_weight, self.cov_weight = inv_weight, var_weight, cov_weight
        self.gamma, self.eps, self.invariance = gamma, eps, invariance

    def invariance_term(self, z: torch.Tensor) -> torch.Tensor:
        """(B, n, d) -> scalar (see the class docstring)."""
        n = z.size(1)
        spread = (z - z.mean(dim=1, keepdim=True)).pow(2).sum(dim=1).mean()   # / (B d)
        if self.invariance == 'to_mean':
            return spread / n
        return spread * 2 / (n - 1)

    def variance_term(self, z: torch.Tensor) -> torch.Tensor:
        std = torch.sqrt(z.var(dim=0) + self.eps)                            # (n, d)
        return F.relu(self.gamma - std).mean()

    def covariance_term(self, z: torch.Tensor) -> torch.Tensor:
        b, n, d = z.shape
        z = (z - z.mean(dim=0)).transpose(0, 1)                              # (n, B, d)
        cov = z.transpose(1, 2) @ z / (b - 1)                                # (n, d, d)
        off = cov.pow(2).sum(dim=(1, 2)) - torch.diagonal(cov, dim1=1, dim2=2).pow(2).sum(-1)
        return off.sum() / d * 2 / n

    def forward(self, z: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Weighted terms of a (B, n, d) bag of embeddings.

        Returns:
            dict: ``loss_invariance``, ``loss_variance``, ``loss_covariance``.
        """
        if z.dim() != 3 or z.size(1) < 2:
            raise ValueError(f'VICRegLoss needs (B, n, d) embeddings with n >= 2 views per '
                             f'image, got {tuple(z.shape)}')
        everyone = gather_batch(z)
        if everyone.size(0) < 2:
            raise ValueError('VICRegLoss: the variance and covariance terms need a batch of '
                             'at least 2 images; raise the batch size')
        return dict(loss_invariance=self.inv_weight * self.invariance_term(z),
                    loss_variance=self.var_weight * self.variance_term(everyone),
                    loss_covariance=self.cov_weight * self.covariance_term(everyone))

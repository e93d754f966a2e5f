"""Non-linear probe: one transformer block between a frozen backbone and a linear classifier."""
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from mmpretrain.models.backbones.vision_transformer import TransformerEncoderLayer
from mmpretrain.models.utils import build_2d_sincos_position_embedding
from mmpretrain.registry import MODELS
from torch import nn

from ..utils import last_feature_map


@MODELS.register_module()
class TransformerProbeNeck(BaseModule):
    """QB-Heat's non-linear probe ("adds a transformer block before linear classifier").

    The last feature map becomes tokens (Linear C -> D + fixed 2-D sin-cos
    positions); optionally the backbone's global tokens are appended
    (Linear d -> D); a learnable [CLS] token is prepended; one pre-norm
    transformer block and a LayerNorm follow; the output is the [CLS] token
    (``pool='cls'``) or the mean token (``pool='mean'``).

    Args:
        in_channels (int): Channels C of the last map.
        embed_dims (int): Width D. Defaults to 384.
        num_heads (int): Attention heads. Defaults to 6.
        mlp_ratio (float): FFN expansion. Defaults to 4.
        token_dims (int, optional): Width d of the backbone's global tokens;
            when given, the tokens (last backbone output, (B, M, d)) join the
            sequence.
        pool (str): ``'cls'`` or ``'mean'``.

    Shape:
        - inputs: tuple whose items are (B, C, h, w) maps [and (B, M, d) tokens]
        - output: ((B, D), )
    """

    def __init__(self, in_channels: int, embed_dims: int = 384, num_heads: int = 6,
                 mlp_ratio: float = 4., token_dims: Optional[int] = None, pool: str = 'cls',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg or [
            dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.)])
        if pool not in ('cls', 'mean'):
            raise ValueError(f"TransformerProbeNeck: pool={pool!r}; choose 'cls' or 'mean'")
        self.embed_dims = embed_dims
        self.pool = pool
        self.proj = nn.Linear(in_channels, embed_dims)
        self.token_proj = nn.Linear(token_dims, embed_dims) if token_dims else None
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dims))
        self.block = TransformerEncoderLayer(embed_dims, num_heads, int(mlp_ratio * embed_dims))
        self.norm = nn.LayerNorm(embed_dims)
        self._pos: Dict[Tuple[int, int], torch.Tensor] = {}

    def init_weights(self) -> None:
        super().init_weights()
        nn.init.trunc_normal_(self.cls_token, std=0.02)

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        x = last_feature_map(inputs, 'TransformerProbeNeck')
        h, w = x.shape[-2:]
        if (h, w) not in self._pos:
            self._pos[(h, w)] = build_2d_sincos_position_embedding((w, h), self.embed_dims)
        seq = self.proj(x.flatten(2).transpose(1, 2)) + self._pos[(h, w)].to(x)
        parts = [self.cls_token.expand(x.size(0), -1, -1), seq]
        if self.token_proj is not None:
            tokens = inputs[-1]
            if tokens.dim() != 3:
                raise ValueError('TransformerProbeNeck: token_dims is set but the backbone '
                                 'returned no tokens; build it with return_tokens=True')
            parts.append(self.token_proj(tokens))
        seq = self.norm(self.block(torch.cat(parts, dim=1)))
        return (seq[:, 0] if self.pool == 'cls' else seq[:, 1:].mean(dim=1), )

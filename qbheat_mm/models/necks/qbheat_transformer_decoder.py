"""Small transformer decoder: full feature map -> per-cell pixel patches."""
from typing import Dict, Optional, Tuple

import torch
from mmengine.model import BaseModule
from mmpretrain.models.backbones.vision_transformer import TransformerEncoderLayer
from mmpretrain.models.utils import build_2d_sincos_position_embedding
from mmpretrain.registry import MODELS
from torch import nn


@MODELS.register_module()
class QBHeatTransformerDecoder(BaseModule):
    """MAE-lite decoder for QB-Heat: Linear C -> D, fixed 2-D sin-cos position
    embedding over the cell grid, ``depth`` pre-norm transformer blocks,
    LayerNorm, Linear D -> ``patch_size**2 * out_channels``.

    Args:
        in_channels (int): Channels C of the extrapolated map.
        patch_size (int): Pixels per cell side (the encoder's stride).
        embed_dims (int): Width D. Defaults to 256.
        depth (int): Transformer blocks. Defaults to 4.
        num_heads (int): Attention heads. Defaults to 4.
        mlp_ratio (float): FFN expansion. Defaults to 4.
        out_channels (int): Image channels. Defaults to 3.
        attention (str): *Design choice.* ``'global'`` (default): every cell
            attends to every cell, the visible quarter's included, so a masked
            cell's pixels may be read from the encoder's visible features
            directly. ``'local'``: the visible quarter's cells (the top-left
            H'/2 x W'/2 block) and the masked cells form two separate
            sequences (block-diagonal attention), so a masked cell is decoded
            from the extrapolated features alone and the reconstruction must
            go through the heat extrapolation.

    Shape:
        - input: (B, C, H', W') full feature map
        - output: (B, H' * W', patch_size**2 * out_channels), cells row-major
    """

    attentions = ('global', 'local')

    def __init__(self, in_channels: int, patch_size: int, embed_dims: int = 256,
                 depth: int = 4, num_heads: int = 4, mlp_ratio: float = 4.,
                 out_channels: int = 3, attention: str = 'global',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg or [
            dict(type='Xavier', layer='Linear', distribution='uniform'),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.)])
        if attention not in self.attentions:
            raise ValueError(f'QBHeatTransformerDecoder: attention={attention!r} is not '
                             f'supported; choose one of {self.attentions}')
        self.attention = attention
        self.embed_dims = embed_dims
        self.patch_size = patch_size
        self.embed = nn.Linear(in_channels, embed_dims)
        self.blocks = nn.ModuleList([
            TransformerEncoderLayer(embed_dims, num_heads, int(mlp_ratio * embed_dims))
            for _ in range(depth)])
        self.norm = nn.LayerNorm(embed_dims)
        self.pred = nn.Linear(embed_dims, patch_size ** 2 * out_channels)
        self._pos_cache: Dict[Tuple[int, int], torch.Tensor] = {}

    def pos_embed(self, h: int, w: int, ref: torch.Tensor) -> torch.Tensor:
        """Fixed sin-cos embedding (1, h * w, D) for an h x w grid."""
        if (h, w) not in self._pos_cache:
            self._pos_cache[(h, w)] = build_2d_sincos_position_embedding(
                (w, h), self.embed_dims)
        return self._pos_cache[(h, w)].to(ref)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        x = self.embed(x.flatten(2).transpose(1, 2))
        x = x + self.pos_embed(h, w, x)
        if self.attention == 'global':
            for block in self.blocks:
                x = block(x)
        else:
            visible = self.visible_cells(h, w, x.device)
            parts = [x[:, visible], x[:, ~visible]]
            for block in self.blocks:
                parts = [block(part) for part in parts]
            x = torch.empty_like(x)
            x[:, visible], x[:, ~visible] = parts
        return self.pred(self.norm(x))

    @staticmethod
    def visible_cells(h: int, w: int, device: torch.device) -> torch.Tensor:
        """(h * w, ) bool, True for the visible top-left (h/2) x (w/2) cells, row-major."""
        rows = torch.arange(h, device=device).view(h, 1).expand(h, w)
        cols = torch.arange(w, device=device).view(1, w).expand(h, w)
        return ((rows < h // 2) & (cols < w // 2)).flatten()

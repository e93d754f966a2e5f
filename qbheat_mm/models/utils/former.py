"""The Former: Mobile-Former's small transformer over the global tokens."""
import torch
import torch.nn.functional as F
from torch import nn

from .bridges import check_heads, merge_heads, split_heads
from .token_drop_path import TokenDropPath


class Former(nn.Module):
    """Post-norm transformer block over M global tokens, as released.

    Attention has a query projection only: keys and values are the tokens
    split into heads, and ``channel_mlp`` projects the merged heads. The FFN
    has expansion ``ffn_ratio`` with GELU. With ``qkv_proj=True`` separate
    key and value projections are added (the paper's "standard" block; not
    in the released models, whose parameter counts it would change).

    Args:
        token_dims (int): Token width d.
        num_heads (int): Attention heads (4 in every released model).
        ffn_ratio (int): FFN hidden width is ``ffn_ratio * d``.
        drop_path_rate (float): Drop path on the attention update (:class:`TokenDropPath`).
        token_drop_mode (str): ``'token'`` (the authors') or ``'sample'``.
        qkv_proj (bool): Add key/value projections. Defaults to False.

    Shape:
        - tokens: (B, M, d)
        - output: (B, M, d)
    """

    def __init__(self, token_dims: int, num_heads: int = 4, ffn_ratio: int = 2,
                 drop_path_rate: float = 0., qkv_proj: bool = False,
                 token_drop_mode: str = 'token') -> None:
        super().__init__()
        check_heads('Former', token_dims, num_heads)
        self.num_heads = num_heads
        self.q = nn.Linear(token_dims, token_dims)
        self.k = nn.Linear(token_dims, token_dims) if qkv_proj else nn.Identity()
        self.v = nn.Linear(token_dims, token_dims) if qkv_proj else nn.Identity()
        self.channel_mlp = nn.Linear(token_dims, token_dims)
        self.layer_norm = nn.LayerNorm(token_dims)
        self.ffn = nn.Sequential(
            nn.Linear(token_dims, ffn_ratio * token_dims), nn.GELU(),
            nn.Linear(ffn_ratio * token_dims, token_dims))
        self.ffn_norm = nn.LayerNorm(token_dims)
        self.drop_path = TokenDropPath(drop_path_rate, token_drop_mode)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        q = split_heads(self.q(tokens), self.num_heads)
        k = split_heads(self.k(tokens), self.num_heads)
        v = split_heads(self.v(tokens), self.num_heads)
        out = self.channel_mlp(merge_heads(F.scaled_dot_product_attention(q, k, v)))
        tokens = self.layer_norm(tokens + self.drop_path(out))
        return self.ffn_norm(tokens + self.ffn(tokens))

"""Mobile-Former's two light-weight cross-attention bridges between map and tokens."""
import torch
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from torch import nn

from .token_drop_path import TokenDropPath


def check_heads(owner: str, channels: int, num_heads: int) -> None:
    """One clear error when ``channels`` cannot be split into ``num_heads`` heads."""
    if channels % num_heads:
        raise ValueError(f'{owner}: channels ({channels}) must be divisible by '
                         f'num_heads ({num_heads})')


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """(B, N, C) -> (B, heads, N, C / heads), head i = channel group i."""
    b, n, c = x.shape
    return x.view(b, n, num_heads, c // num_heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, heads, N, C / heads) -> (B, N, C)."""
    b, h, n, c = x.shape
    return x.transpose(1, 2).reshape(b, n, h * c)


class MobileToFormer(nn.Module):
    """Map -> tokens cross attention (the released model's ``local_global``).

    Queries are projected from the tokens; keys and values are the raw map,
    split into heads along channels, without projection. The attended
    features are gated per token and channel by ``2 * hsig(alpha(Z))`` (from
    the input tokens), projected back to the token width and added to the
    tokens, followed by a post LayerNorm:
    ``Z1 = LN(Z + DropPath(proj(gate * softmax_HW(Q X^T / sqrt(C/h)) X)))``.

    Args:
        channels (int): Channels C of the map.
        token_dims (int): Token width d.
        num_heads (int): Heads h; C must be divisible by h.
        drop_path_rate (float): Drop path on the token update (:class:`TokenDropPath`).
        token_drop_mode (str): ``'token'`` (the authors': one draw per token index for the
            whole batch) or ``'sample'`` (one draw per image).

    Shape:
        - x: (B, C, H, W)
        - tokens: (B, M, d)
        - output: (B, M, d)
    """

    def __init__(self, channels: int, token_dims: int, num_heads: int = 2,
                 drop_path_rate: float = 0., token_drop_mode: str = 'token') -> None:
        super().__init__()
        check_heads('MobileToFormer', channels, num_heads)
        self.num_heads = num_heads
        self.q = nn.Linear(token_dims, channels)
        self.alpha = nn.Sequential(nn.Linear(token_dims, channels), nn.Hardsigmoid())
        self.proj = nn.Linear(channels, token_dims)
        self.layer_norm = nn.LayerNorm(token_dims)
        self.drop_path = TokenDropPath(drop_path_rate, token_drop_mode)

    def forward(self, x: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        kv = split_heads(x.flatten(2).transpose(1, 2), self.num_heads)
        q = split_heads(self.q(tokens), self.num_heads)
        out = merge_heads(F.scaled_dot_product_attention(q, kv, kv))
        out = out * (2.0 * self.alpha(tokens))
        return self.layer_norm(tokens + self.drop_path(self.proj(out)))


class FormerToMobile(nn.Module):
    """Tokens -> map cross attention (the released model's ``global_local``).

    The map itself is the query (split into heads along channels, no
    projection); keys and values are projected from the tokens. Softmax runs
    over the M tokens for every pixel; the result is added to the map with
    no output projection, norm or activation:
    ``X' = Y + DropPath(softmax_M(Y K^T / sqrt(C/h)) V)``.

    Args:
        channels (int): Channels C of the map.
        token_dims (int): Token width d.
        num_heads (int): Heads h; C must be divisible by h.
        drop_path_rate (float): Per-image drop path on the map update.

    Shape:
        - x: (B, C, H, W)
        - tokens: (B, M, d)
        - output: (B, C, H, W)
    """

    def __init__(self, channels: int, token_dims: int, num_heads: int = 2,
                 drop_path_rate: float = 0.) -> None:
        super().__init__()
        check_heads('FormerToMobile', channels, num_heads)
        self.num_heads = num_heads
        self.k = nn.Linear(token_dims, channels)
        self.proj = nn.Linear(token_dims, channels)  # value projection (released name)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0 else nn.Identity()

    def forward(self, x: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q = split_heads(x.flatten(2).transpose(1, 2), self.num_heads)
        k = split_heads(self.k(tokens), self.num_heads)
        v = split_heads(self.proj(tokens), self.num_heads)
        out = merge_heads(F.scaled_dot_product_attention(q, k, v))
        return x + self.drop_path(out.transpose(1, 2).reshape(b, c, h, w))

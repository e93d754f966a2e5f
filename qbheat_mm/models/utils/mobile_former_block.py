"""Mobile-Former blocks: the conv-only lite bottleneck, M-F and the downsampling M-F block."""
from typing import Optional, Tuple

import torch
from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks import DropPath
from torch import nn

from .bridges import FormerToMobile, MobileToFormer
from .channel_shuffle import ChannelShuffle
from .dynamic_relu import TokenDynamicReLU
from .former import Former


def conv_bn(in_channels: int, out_channels: int, kernel_size: int = 1, stride: int = 1,
            groups: int = 1, norm_cfg: Optional[dict] = None,
            shuffle_groups: int = 0) -> nn.Sequential:
    """Bias-free conv -> norm [-> channel shuffle]; indices 0/1 match the released names."""
    layers = [
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2,
                  groups=groups, bias=False),
        build_norm_layer(norm_cfg or dict(type='BN'), out_channels)[1],
    ]
    if shuffle_groups > 1:
        layers.append(ChannelShuffle(shuffle_groups))
    return nn.Sequential(*layers)


class LiteBottleneck(nn.Module):
    """Block 0 ("bneck-lite"): expanding depthwise 3x3 + ReLU6, grouped pointwise 1x1.

    Convolutions only; the tokens pass through unchanged. An identity
    shortcut is used when the stride is 1 and the widths agree.

    Args:
        in_channels (int): Input channels C.
        hidden_channels (int): Depthwise output width (a multiple of C).
        out_channels (int): Output channels.
        stride (int): Stride of the depthwise conv (1 or 2).
        groups (int): Groups of the pointwise conv; > 1 also adds a channel
            shuffle (groups = C) after the ReLU6, as in MF-26M.
        norm_cfg (dict): Norm layer config.

    Shape:
        - x: (B, C, H, W), tokens: (B, M, d)
        - output: ((B, C_out, H / stride, W / stride), tokens)
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 stride: int = 1, groups: int = 1, norm_cfg: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__()
        norm_cfg = norm_cfg or dict(type='BN')
        self.use_shortcut = stride == 1 and in_channels == out_channels
        # Index 3 is a placeholder where MF-26M shuffles, so the pointwise conv is always conv.4.
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, hidden_channels, 3, stride, 1, groups=in_channels, bias=False),
            build_norm_layer(norm_cfg, hidden_channels)[1],
            nn.ReLU6(inplace=True),
            ChannelShuffle(in_channels) if groups > 1 else nn.Identity(),
            nn.Conv2d(hidden_channels, out_channels, 1, groups=groups, bias=False),
            build_norm_layer(norm_cfg, out_channels)[1],
        )

    def forward(self, x: torch.Tensor,
                tokens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        y = self.conv(x)
        return (x + y if self.use_shortcut else y), tokens


class MobileFormerBlock(nn.Module):
    """One Mobile-Former block: Mobile->Former, Former, Mobile, Former->Mobile.

    Order of operations (released model): the tokens read the block's input
    map (Mobile->Former), the Former updates them, the Mobile sub-block runs
    with dynamic ReLUs driven by the first updated token, an identity
    shortcut is added (stride 1 and equal widths), and finally Former->Mobile
    writes the tokens back into the output map.

    Mobile sub-block, ``stride == 1`` (M-F): PW 1x1 -> DyReLU -> DW 3x3 ->
    DyReLU -> PW 1x1 (linear), hidden width ``hidden_channels``.
    ``stride == 2`` (M-F, downsampling): expanding DW 3x3 stride 2 -> DyReLU
    -> PW 1x1 (= R) -> expanding DW 3x3 -> DyReLU -> PW 1x1, plus the inner
    shortcut R + DropPath(.).

    Args:
        in_channels (int): Input channels.
        hidden_channels (int): Hidden width (first expansion).
        out_channels (int): Output channels.
        stride (int): 1 (M-F) or 2 (downsampling M-F).
        hidden_channels2 (int): Second expansion width of the downsampling
            block; ignored when ``stride == 1``.
        token_dims (int): Token width d.
        groups (int): Groups of every pointwise conv (4 in MF-26M, which also
            adds the released channel shuffles).
        drop_path_rate (float): Drop path of the map updates (per image) and the token
            updates (:class:`TokenDropPath`).
        token_drop_mode (str): Token drop path: ``'token'`` (the authors': one draw per token
            index for the whole batch) or ``'sample'`` (per image).
        bridge_heads (int): Heads of both bridges.
        former_heads (int): Heads of the Former.
        ffn_ratio (int): FFN expansion of the Former.
        hyper_reduction (int): Reduction of the dynamic-ReLU MLPs.
        qkv_proj (bool): Key/value projections in the Former.
        norm_cfg (dict): Norm layer config of the conv stream.

    Shape:
        - x: (B, C_in, H, W), tokens: (B, M, d)
        - output: ((B, C_out, H / stride, W / stride), (B, M, d))
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int,
                 stride: int = 1, hidden_channels2: int = 0, token_dims: int = 192,
                 groups: int = 1, drop_path_rate: float = 0., bridge_heads: int = 2,
                 former_heads: int = 4, ffn_ratio: int = 2, hyper_reduction: int = 4,
                 qkv_proj: bool = False, norm_cfg: Optional[dict] = None,
                 token_drop_mode: str = 'token') -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f'MobileFormerBlock: stride must be 1 or 2, got {stride}')
        self.stride = stride
        self.use_shortcut = stride == 1 and in_channels == out_channels
        self.local_global = MobileToFormer(in_channels, token_dims, bridge_heads, drop_path_rate,
                                           token_drop_mode)
        self.global_block = Former(token_dims, former_heads, ffn_ratio, drop_path_rate, qkv_proj,
                                   token_drop_mode)
        shuffle = groups > 1
        if stride == 1:
            self.conv1 = conv_bn(in_channels, hidden_channels, 1, groups=groups,
                                 norm_cfg=norm_cfg, shuffle_groups=groups if shuffle else 0)
            self.hyper1 = TokenDynamicReLU(hidden_channels, token_dims, hyper_reduction)
            self.conv2 = conv_bn(hidden_channels, hidden_channels, 3, groups=hidden_channels,
                                 norm_cfg=norm_cfg)
            self.hyper2 = TokenDynamicReLU(hidden_channels, token_dims, hyper_reduction)
            self.conv3 = conv_bn(hidden_channels, out_channels, 1, groups=groups,
                                 norm_cfg=norm_cfg, shuffle_groups=groups if shuffle else 0)
        else:
            if hidden_channels2 <= 0:
                raise ValueError('MobileFormerBlock: a downsampling block needs '
                                 'hidden_channels2 > 0 (its second expansion width)')
            self.conv1 = conv_bn(in_channels, hidden_channels, 3, stride=2, groups=in_channels,
                                 norm_cfg=norm_cfg,
                                 shuffle_groups=in_channels if shuffle else 0)
            self.hyper1 = TokenDynamicReLU(hidden_channels, token_dims, hyper_reduction)
            self.conv2 = conv_bn(hidden_channels, out_channels, 1, groups=groups,
                                 norm_cfg=norm_cfg)
            self.conv3 = conv_bn(out_channels, hidden_channels2, 3, groups=out_channels,
                                 norm_cfg=norm_cfg,
                                 shuffle_groups=out_channels if shuffle else 0)
            self.hyper3 = TokenDynamicReLU(hidden_channels2, token_dims, hyper_reduction)
            self.conv4 = conv_bn(hidden_channels2, out_channels, 1, groups=groups,
                                 norm_cfg=norm_cfg)
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0 else nn.Identity()
        self.global_local = FormerToMobile(out_channels, token_dims, bridge_heads,
                                           drop_path_rate)

    def mobile(self, x: torch.Tensor, token: torch.Tensor) -> torch.Tensor:
        """The conv stream with its shortcut; ``token`` (B, d) drives the DyReLUs."""
        if self.stride == 1:
            y = self.hyper1(self.conv1(x), token)
            y = self.hyper2(self.conv2(y), token)
            y = self.conv3(y)
            return x + self.drop_path(y) if self.use_shortcut else y
        r = self.conv2(self.hyper1(self.conv1(x), token))
        y = self.conv4(self.hyper3(self.conv3(r), token))
        return r + self.drop_path(y)

    def forward(self, x: torch.Tensor,
                tokens: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        tokens = self.global_block(self.local_global(x, tokens))
        y = self.mobile(x, tokens[:, 0])
        return self.global_local(y, tokens), tokens

"""LEWEL's neck (Huang et al., "Learning Where to Learn in Cross-View Self-Supervised
Learning", CVPR 2022): the projector's per-pixel outputs are spatial alignment maps."""
import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

from ..utils import last_feature_map


def lewel_mlp(in_channels: int, hid_channels: int, out_channels: int, norm_cfg: dict) -> dict:
    """Config of LEWEL's two-layer MLP: Linear (no bias) -> BN -> ReLU -> Linear (no bias),
    Kaiming-normal (fan_out, relu) weights as in the official code, BN weight 1 / bias 0."""
    return dict(type='NonLinearNeck', in_channels=in_channels, hid_channels=hid_channels,
                out_channels=out_channels, num_layers=2, with_bias=False, with_last_bn=False,
                with_last_bias=False, with_avg_pool=False, norm_cfg=norm_cfg,
                init_cfg=[dict(type='Kaiming', layer='Linear', mode='fan_out',
                               nonlinearity='relu', distribution='normal'),
                          dict(type='Constant', val=1, bias=0, layer='_BatchNorm')])


@MODELS.register_module()
class LEWELNeck(BaseModule):
    """Global and aligned embeddings of LEWEL.

    With x the backbone's last map (B, C, H, W) and N = H*W positions:

    1. tokens [GAP(x), x_1, ..., x_N] (B, 1+N, C) go through the shared
       projector g **in one call** (its hidden BN sees pooled and pixel tokens
       together, as in the official code); row 0 is the global embedding
       z_g (B, D), rows 1..N the per-pixel projections P (B, N, D);
    2. alignment maps: softmax over the N positions of P / ``scale``
       (P l2-normalised over D first when ``l2_norm``): D maps that each sum
       to 1 over the positions;
    3. grouped aggregation: the D maps split into G = ``num_heads`` groups of
       K = D / G; the C channels split into G groups of C / G; aligned
       feature k concatenates, over the groups h, the group-h channels pooled
       with map (h, k): Y (B, K, C);
    4. the separate aligned projector g_a maps each of the K rows: U (B, K, D).

    Args:
        in_channels (int): Channels C of the backbone's last map.
        hid_channels (int): Hidden width of both projectors. Defaults to 4096.
        out_channels (int): Embedding width D. Defaults to 256.
        num_heads (int): Groups G; K = D / G aligned embeddings. Defaults to 4.
        scale (float): Softmax temperature s of the alignment maps. Defaults to 1.
        l2_norm (bool): l2-normalise the per-pixel projections before the
            softmax. Defaults to True.
        min_positions (int): Fewest map positions H*W accepted (design choice:
            on a 1x1 map every alignment map is uniform and each aligned
            feature equals GAP(x); lower it to 1 to allow that). Defaults to 2.
        norm_cfg (dict): Norm layer of the projectors' hidden layer.
            Defaults to ``dict(type='SyncBN')`` (``BN1d`` on one process/CPU).
        init_cfg (dict | list[dict], optional): Initialisation config.

    Shape:
        - inputs: tuple of backbone outputs whose last 4-D item is (B, C, H, W)
        - output: (z_g (B, D), U (B, K, D))
    """

    def __init__(self,
                 in_channels: int,
                 hid_channels: int = 4096,
                 out_channels: int = 256,
                 num_heads: int = 4,
                 scale: float = 1.0,
                 l2_norm: bool = True,
                 min_positions: int = 2,
                 norm_cfg: dict = dict(type='SyncBN'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value in (('in_channels', in_channels), ('out_channels', out_channels)):
            if value % num_heads:
                common = math.gcd(in_channels, out_channels)
                hint = max(d for d in range(1, num_heads + 1) if not common % d)
                raise ValueError(
                    f'LEWELNeck: {name}={value} is not divisible by num_heads={num_heads}; '
                    f'choose num_heads dividing both in_channels and out_channels '
                    f'(e.g. num_heads={hint})')
        if scale <= 0:
            raise ValueError(f'LEWELNeck: scale={scale} must be > 0')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.num_heads = num_heads
        self.num_aligned = out_channels // num_heads
        self.scale = scale
        self.l2_norm = l2_norm
        self.min_positions = min_positions
        self.projector = MODELS.build(lewel_mlp(in_channels, hid_channels, out_channels,
                                                norm_cfg))
        self.aligned_projector = MODELS.build(lewel_mlp(in_channels, hid_channels,
                                                        out_channels, norm_cfg))

    def alignment_maps(self, pixels: torch.Tensor) -> torch.Tensor:
        """Per-pixel projections (B, N, D) -> alignment maps (B, D, N), each summing to 1."""
        if self.l2_norm:
            pixels = F.normalize(pixels, dim=-1)
        return (pixels.transpose(1, 2) / self.scale).softmax(dim=-1)

    def aggregate(self, x: torch.Tensor, maps: torch.Tensor) -> torch.Tensor:
        """Grouped pooling: x (B, C, N), maps (B, D, N) -> aligned features (B, K, C)."""
        b, c, n = x.shape
        g, k = self.num_heads, self.num_aligned
        pooled = torch.einsum('bgcn,bgkn->bgck', x.reshape(b, g, c // g, n),
                              maps.reshape(b, g, k, n))          # (B, G, C/G, K)
        return pooled.reshape(b, c, k).transpose(1, 2)

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        x = last_feature_map(inputs, 'LEWELNeck')
        b, c, h, w = x.shape
        if c != self.in_channels:
            raise ValueError(f'LEWELNeck: the backbone map has {c} channels, in_channels is '
                             f'{self.in_channels}; set in_channels={c}')
        if h * w < self.min_positions:
            raise ValueError(
                f'LEWELNeck: a {h}x{w} feature map has fewer than min_positions='
                f'{self.min_positions} positions, so the alignment maps cannot differ; feed '
                f'larger crops, take an earlier backbone stage (stride 16), or lower '
                f'min_positions')
        x = x.flatten(2)                                                # (B, C, N)
        tokens = torch.cat((x.mean(dim=2, keepdim=True), x), dim=2)    # (B, C, 1+N)
        proj = self.projector((tokens.transpose(1, 2).reshape(-1, c), ))[0]
        proj = proj.reshape(b, 1 + h * w, self.out_channels)
        maps = self.alignment_maps(proj[:, 1:])
        aligned = self.aggregate(x, maps)                               # (B, K, C)
        aligned = self.aligned_projector((aligned.reshape(-1, c), ))[0]
        return proj[:, 0], aligned.reshape(b, self.num_aligned, self.out_channels)

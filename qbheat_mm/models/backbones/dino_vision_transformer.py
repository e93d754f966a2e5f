"""mmpretrain's ViT with DINO's position-embedding resize (the one GTSA's official code uses)."""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from mmpretrain.models.backbones import VisionTransformer
from mmpretrain.registry import MODELS


def dino_resize_pos_embed(pos_embed: torch.Tensor, src_shape: Sequence[int],
                          dst_shape: Sequence[int], num_extra_tokens: int = 1) -> torch.Tensor:
    """(1, E + h_s w_s, C) -> (1, E + h_d w_d, C), DINO style.

    Bicubic interpolation of the (h_s, w_s) grid driven by the scale factor
    ((h_d + 0.1) / h_s, (w_d + 0.1) / w_s) (DINO's guard against flooring to a
    grid one cell short), not by the output size: PyTorch maps output pixel i to
    source coordinate (i + 0.5) / scale - 0.5, so the sampled positions differ
    from a size-driven resize (mmpretrain's ``resize_pos_embed``) by about
    0.1 / scale cells. Unchanged when the grids agree.
    """
    (h_s, w_s), (h_d, w_d) = tuple(src_shape), tuple(dst_shape)
    if (h_s, w_s) == (h_d, w_d):
        return pos_embed
    extra, grid = pos_embed[:, :num_extra_tokens], pos_embed[:, num_extra_tokens:]
    channels = grid.shape[-1]
    grid = grid.reshape(1, h_s, w_s, channels).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, scale_factor=((h_d + 0.1) / h_s, (w_d + 0.1) / w_s),
                         mode='bicubic')
    if tuple(grid.shape[-2:]) != (h_d, w_d):
        raise ValueError(f'dino_resize_pos_embed: a {h_s}x{w_s} grid resized to '
                         f'{tuple(grid.shape[-2:])}, not {h_d}x{w_d}')
    return torch.cat((extra, grid.permute(0, 2, 3, 1).reshape(1, h_d * w_d, channels)), dim=1)


@MODELS.register_module()
class DINOVisionTransformer(VisionTransformer):
    """:class:`VisionTransformer` whose position embedding is resized to other input sizes
    as DINO's (and GTSA's official) ViT does (:func:`dino_resize_pos_embed`).

    Same arguments, parameters and checkpoint keys as :class:`VisionTransformer`;
    only inputs whose patch grid differs from ``img_size`` / ``patch_size`` (GTSA's
    96-px local crops: 6 x 6 instead of 14 x 14) see a different embedding.
    """

    def embed(self, x: torch.Tensor) -> Tuple[torch.Tensor, Tuple[int, int]]:
        """(B, 3, H, W) -> tokens (B, E + H/p W/p, C) with position embedding, and the grid."""
        tokens, grid = self.patch_embed(x)
        if self.cls_token is not None:
            tokens = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), tokens), dim=1)
        tokens = tokens + dino_resize_pos_embed(self.pos_embed, self.patch_resolution, grid,
                                                self.num_extra_tokens)
        return self.pre_norm(self.drop_after_pos(tokens)), grid

    def forward(self, x: torch.Tensor) -> tuple:
        """As :meth:`VisionTransformer.forward`, with :meth:`embed` for the tokens."""
        x, grid = self.embed(x)
        outs = []
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == len(self.layers) - 1 and self.final_norm:
                x = self.ln1(x)
            if i in self.out_indices:
                outs.append(self._format_output(x, grid))
        return tuple(outs)

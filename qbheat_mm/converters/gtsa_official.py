"""The official GTSA checkpoints (ViT-S/16, ``bok3948/GTSA``) to backbone checkpoints.

The official pretraining checkpoint is ``{'model': GTSA.state_dict(), 'epoch', ...}``; the
student ViT is ``base_encoder.*``, the EMA teacher ``momentum_encoder.*``, both in DINO's ViT
layout (``patch_embed.proj``, ``blocks.{i}.norm1/attn.qkv/attn.proj/norm2/mlp.fc1/mlp.fc2``,
final ``norm``). mmpretrain's ``VisionTransformer`` (and our ``DINOVisionTransformer``, which
keeps its keys) names them ``patch_embed.projection``, ``layers.{i}.ln1/attn.qkv/attn.proj/ln2/
ffn.layers.0.0/ffn.layers.1`` and ``ln1``; ``cls_token`` and ``pos_embed`` (1, 1 + 14 * 14, 384,
the class token's entry first, as in mmpretrain) keep their names and values. Resizing the
position embedding to other inputs is DINO's scale-factor rule in ``DINOVisionTransformer``
(the official code's convention) and mmpretrain's size rule in ``VisionTransformer``.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch

ENCODERS = {'momentum': 'momentum_encoder.', 'base': 'base_encoder.'}
# (DINO pattern, mmpretrain replacement) inside one encoder
RULES: List[Tuple[str, str]] = [
    (r'^patch_embed\.proj\.', 'patch_embed.projection.'),
    (r'^blocks\.(\d+)\.norm1\.', r'layers.\1.ln1.'),
    (r'^blocks\.(\d+)\.norm2\.', r'layers.\1.ln2.'),
    (r'^blocks\.(\d+)\.attn\.', r'layers.\1.attn.'),
    (r'^blocks\.(\d+)\.mlp\.fc1\.', r'layers.\1.ffn.layers.0.0.'),
    (r'^blocks\.(\d+)\.mlp\.fc2\.', r'layers.\1.ffn.layers.1.'),
    (r'^norm\.', 'ln1.'),
    (r'^(cls_token|pos_embed)$', r'\1'),
]


def rename_dino_vit(state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """DINO-layout ViT keys -> mmpretrain ``VisionTransformer`` keys (``backbone.`` prefixed).

    Raises:
        KeyError: a key no rule matches (it would be lost).
    """
    out: Dict[str, torch.Tensor] = OrderedDict()
    for key, value in state.items():
        for pattern, replacement in RULES:
            if re.match(pattern, key):
                out['backbone.' + re.sub(pattern, replacement, key)] = value
                break
        else:
            raise KeyError(f'unexpected ViT key {key!r}: no rule maps it to mmpretrain')
    return out


def convert_gtsa(checkpoint: dict, encoder: str = 'momentum') -> Dict[str, torch.Tensor]:
    """``backbone.*`` tensors of mmpretrain's ViT-S/16 from an official GTSA checkpoint.

    Args:
        checkpoint: the loaded file (``{'model': ...}``, a bare ``GTSA.state_dict()``, or an
            already extracted DINO-layout ViT state dict).
        encoder: ``'momentum'`` (the EMA teacher, DINO's evaluation convention) or
            ``'base'`` (the student).
    """
    if encoder not in ENCODERS:
        raise ValueError(f'encoder must be one of {sorted(ENCODERS)}, not {encoder!r}')
    state = checkpoint.get('model', checkpoint) if isinstance(checkpoint, dict) else {}
    state = {(k[7:] if k.startswith('module.') else k): v for k, v in state.items()
             if isinstance(v, torch.Tensor)}
    prefix = ENCODERS[encoder]
    if any(k.startswith(prefix) for k in state):
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    elif any(k.startswith(tuple(ENCODERS.values())) for k in state) or 'pos_embed' not in state:
        tops = sorted({k.split('.')[0] for k in state})[:10]
        raise KeyError(f'no {prefix}* ViT in this checkpoint (top-level names: {tops})')
    return rename_dino_vit(state)

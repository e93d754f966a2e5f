"""The official LEWEL checkpoints (ResNet-50, ``LayneH/LEWEL``) to backbone checkpoints.

The official training checkpoint is ``{'epoch', 'state_dict', ...}`` with the online backbone
under ``module.online_net.backbone.`` (``module.encoder_q.backbone.`` in its MoCo-style
variant) and the EMA target under ``module.target_net.backbone.``; its own
``utils/extract_backbone.py`` writes the bare backbone keys. The backbone is torchvision's
ResNet layout (``conv1``, ``bn1``, ``layer{1-4}.{i}.conv{1-3}/bn{1-3}/downsample.{0,1}``), which
is also mmpretrain's ``ResNet(depth=50)`` layout, so only the prefix changes.
"""
from collections import OrderedDict
from typing import Dict

import torch

ONLINE = ('module.online_net.backbone.', 'module.encoder_q.backbone.', 'online_net.backbone.')
TARGET = ('module.target_net.backbone.', 'target_net.backbone.')


def convert_lewel(checkpoint: dict, encoder: str = 'online') -> Dict[str, torch.Tensor]:
    """``backbone.*`` tensors of mmpretrain's ResNet-50 from an official LEWEL checkpoint.

    Args:
        checkpoint: the loaded file: a training checkpoint (``state_dict`` of the whole
            model) or an extracted backbone (bare torchvision ResNet keys).
        encoder: ``'online'`` (what the official linear and detection evaluations use) or
            ``'target'`` (the EMA network).

    Raises:
        KeyError: no ResNet backbone keys found (names the top-level prefixes it saw).
    """
    if encoder not in ('online', 'target'):
        raise ValueError(f"encoder must be 'online' or 'target', not {encoder!r}")
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
    state = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
    prefixes = ONLINE if encoder == 'online' else TARGET
    prefix = next((p for p in prefixes if any(k.startswith(p) for k in state)), None)
    if prefix is None and encoder == 'online':       # a bare backbone (official extraction)
        prefix = ''
    out: Dict[str, torch.Tensor] = OrderedDict(
        ('backbone.' + k[len(prefix):], v) for k, v in state.items()
        if prefix is not None and k.startswith(prefix)
        and k[len(prefix):].startswith(('conv1.', 'bn1.', 'layer')))
    if not any(k.startswith('backbone.layer4.') for k in out):
        tops = sorted({k.split('.')[0] for k in state})[:10]
        raise KeyError(f'no {encoder} ResNet-50 backbone in this checkpoint (top-level names: '
                       f'{tops}); expected {prefixes[0]}layer4... or bare layer4... keys')
    return out

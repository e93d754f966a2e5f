"""Convert the authors' released Mobile-Former checkpoints to qbheat_mm's names.

Inside the backbone our names are the released ones (``tokens.weight``,
``stem.*``, ``features.*``); only the top-level final bridge and the
classifier move into :class:`MobileFormerClsHead`.
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch

from ..checkpoint import unwrap_state_dict

# (official prefix, ours); the first matching prefix wins
RULES: List[Tuple[str, str]] = [
    ('tokens.', 'backbone.tokens.'),
    ('stem.', 'backbone.stem.'),
    ('features.', 'backbone.features.'),
    ('local_global.', 'head.local_global.'),
    ('classifier.conv.', 'head.conv.'),
    ('classifier.fc.0.', 'head.fc1.'),
    ('classifier.fc.1.', 'head.norm1.'),
    ('classifier.classifier.1.', 'head.fc2.'),
]


def rename_official(state_dict: Dict[str, torch.Tensor]) -> Tuple[Dict[str, torch.Tensor],
                                                                   List[str]]:
    """Official names -> ours; also returns the keys no rule matched."""
    out, unmatched = OrderedDict(), []
    for key, value in state_dict.items():
        for old, new in RULES:
            if key.startswith(old):
                out[new + key[len(old):]] = value
                break
        else:
            unmatched.append(key)
    return out, unmatched


def reference_state_dict(arch: str, num_classes: int) -> Dict[str, torch.Tensor]:
    """State dict of our ImageClassifier(MobileFormer + MobileFormerClsHead) for ``arch``."""
    from ..analysis import MobileFormerClassifier
    return MobileFormerClassifier(arch, num_classes).state_dict()


def detect_arch(state_dict: Dict[str, torch.Tensor], num_classes: int) -> Optional[str]:
    """The arch whose key set and shapes match the converted ``state_dict`` exactly."""
    from ..models import MobileFormer
    for arch in MobileFormer.arch_zoo:
        ref = reference_state_dict(arch, num_classes)
        if set(ref) == set(state_dict) and all(ref[k].shape == v.shape
                                               for k, v in state_dict.items()):
            return arch
    return None


def convert_official(checkpoint: dict, arch: Optional[str] = None) -> Tuple[dict, str]:
    """Strictly convert an official checkpoint; returns (our state dict, arch).

    Raises:
        KeyError: listing unmatched, missing, unexpected or mis-shaped keys.
    """
    official = unwrap_state_dict(checkpoint)
    converted, unmatched = rename_official(official)
    if unmatched:
        raise KeyError(f'{len(unmatched)} keys match no Mobile-Former name: '
                       f'{unmatched[:20]}{" ..." if len(unmatched) > 20 else ""}')
    fc = converted.get('head.fc2.weight')
    if fc is None:
        raise KeyError('no classifier.classifier.1.weight in the checkpoint; is it a '
                       'Mobile-Former ImageNet checkpoint?')
    num_classes = fc.shape[0]
    arch = arch or detect_arch(converted, num_classes)
    if arch is None:
        raise KeyError('the checkpoint matches no Mobile-Former arch exactly; pass --arch to '
                       'see which keys differ')
    ref = reference_state_dict(arch, num_classes)
    missing = sorted(set(ref) - set(converted))
    unexpected = sorted(set(converted) - set(ref))
    shapes = sorted(k for k in set(ref) & set(converted) if ref[k].shape != converted[k].shape)
    if missing or unexpected or shapes:
        raise KeyError(f'checkpoint does not match MobileFormer arch {arch!r}: missing '
                       f'{missing[:20]}, unexpected {unexpected[:20]}, shape mismatch '
                       f'{shapes[:20]}')
    return converted, arch

"""Backbone-only, tensor-only checkpoints for downstream use (load with weights_only=True)."""
from collections import OrderedDict
from typing import Dict, Optional

import torch

from ..checkpoint import unwrap_state_dict
from .input_normalization import normalization_of_checkpoint


def extract_backbone(checkpoint: dict, prefix: str = 'backbone.',
                     meta: Optional[dict] = None) -> dict:
    """Keep the ``prefix`` keys of a training checkpoint (prefix kept, so mmpretrain and mmdet
    load it with ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``).

    The result holds tensors and plain metadata only (str/int/float/bool, and
    ``normalization``: the mean/std/RGB of the pretraining inputs, from the checkpoint's
    config, which ``NormalizationCheckHook`` compares with a downstream config).
    """
    state = unwrap_state_dict(checkpoint)
    backbone: Dict[str, torch.Tensor] = OrderedDict(
        (k, v.detach().clone()) for k, v in state.items() if k.startswith(prefix))
    if not backbone:
        heads = sorted({k.split('.')[0] for k in state})
        raise KeyError(f'no key starts with {prefix!r} (top-level names: {heads}); pass the '
                       'right --prefix')
    source_meta = checkpoint.get('meta', {}) if isinstance(checkpoint, dict) else {}
    info = {k: source_meta[k] for k in ('epoch', 'iter', 'seed', 'cfg') if k in source_meta}
    info.update(meta or {})
    plain = {k: v for k, v in info.items() if isinstance(v, (str, int, float, bool))}
    normalization = normalization_of_checkpoint(checkpoint)
    if normalization:
        plain['normalization'] = normalization
    return dict(state_dict=backbone, meta=plain)

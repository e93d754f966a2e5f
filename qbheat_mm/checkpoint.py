"""Checkpoint loading under torch >= 2.6 (``torch.load`` defaults to ``weights_only=True``).

mmengine 0.10.7 calls ``torch.load`` without ``weights_only``, so its full
training checkpoints (which pickle a ``HistoryBuffer``, numpy arrays, ...)
fail to load for ``--resume``, ``load_from`` and ``init_cfg=Pretrained``.

Trust model: a *local* file named in a config or on the command line is the
user's own choice. We load it with ``weights_only=True`` first; only when
that fails on a pickled object do we load it fully, with a one-line warning
that full checkpoints are pickles and must come from a trusted source.
Remote files (http, https, ...) keep mmengine's loaders and torch's safe
default. Backbone-only checkpoints written by
``tools/model_converters/extract_backbone.py`` hold tensors and plain
metadata only and always load with ``weights_only=True``.

This uses mmengine's public ``CheckpointLoader.register_scheme``; no
framework file or function is patched.
"""
import os.path as osp
import pickle
from collections import OrderedDict
from typing import Dict, Optional, Set

import torch
from mmengine.logging import print_log
from torch import nn
from mmengine.runner.checkpoint import CheckpointLoader

_warned: Set[str] = set()


def load_local_checkpoint(filename: str, map_location: Optional[str] = None):
    """Load a local checkpoint: tensor-only first, then (trusted) full pickle."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found; check the path given '
                                'to load_from / --resume / init_cfg.checkpoint')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        if filename not in _warned:
            _warned.add(filename)
            print_log(f'{filename} is a full training checkpoint (a pickle, not only tensors): '
                      'loading it fully; only load checkpoints from sources you trust',
                      logger='current', level=30)
        return torch.load(filename, map_location=map_location, weights_only=False)


def unwrap_state_dict(checkpoint: dict) -> Dict[str, torch.Tensor]:
    """The tensors of a checkpoint saved as raw, ``state_dict``, ``model`` or DDP ``module.``."""
    for key in ('state_dict', 'model', 'state_dict_ema'):
        if isinstance(checkpoint.get(key), dict):
            checkpoint = checkpoint[key]
            break
    return OrderedDict((k[7:] if k.startswith('module.') else k, v)
                       for k, v in checkpoint.items() if isinstance(v, torch.Tensor))


def state_dict_mismatch(own: Dict[str, torch.Tensor],
                        loaded: Dict[str, torch.Tensor]) -> Optional[str]:
    """One line naming the missing, unexpected and mis-shaped keys of ``loaded``
    against a model's ``own`` state dict (the first ten of each, with counts), or
    None when they match exactly."""
    missing = sorted(set(own) - set(loaded))
    unexpected = sorted(set(loaded) - set(own))
    shapes = sorted(k for k in set(own) & set(loaded) if own[k].shape != loaded[k].shape)
    if not (missing or unexpected or shapes):
        return None

    def show(keys):
        return f'{keys[:10]}{" ..." if len(keys) > 10 else ""} ({len(keys)})'
    return (f'missing {show(missing)}, unexpected {show(unexpected)}, '
            f'shape mismatch {show(shapes)}')


def load_exact(module: nn.Module, filename: str, prefix: str = '') -> Optional[str]:
    """Load the checkpoint ``filename`` (its keys under ``prefix``, prefix removed) into
    ``module`` only if its keys and shapes match exactly; returns None when loaded, else
    the :func:`state_dict_mismatch` line (the module is then left unchanged)."""
    return load_state_exact(
        module, unwrap_state_dict(CheckpointLoader.load_checkpoint(filename, 'cpu')), prefix)


def load_state_exact(module: nn.Module, state: Dict[str, torch.Tensor],
                     prefix: str = '') -> Optional[str]:
    """:func:`load_exact` for a state dict already in memory."""
    if prefix:
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    mismatch = state_dict_mismatch(module.state_dict(), state)
    if mismatch is None:
        module.load_state_dict(state, strict=True)
    return mismatch


def build_model(cfg, checkpoint: Optional[str] = None,
                allow_backbone_only: bool = False) -> nn.Module:
    """The model of an mmengine ``Config`` with ``checkpoint`` loaded strictly (None: its
    initial weights), in eval mode; the config's ``data_preprocessor`` is merged into the
    model as the Runner does. A checkpoint of another model stops with one line naming
    the mismatched keys instead of running on partly random weights. With
    ``allow_backbone_only`` (tools that use only the backbone), a backbone checkpoint
    (``extract_backbone.py``'s ``backbone.*`` keys) is loaded strictly into the backbone and
    the rest of the model keeps its initial weights."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    if checkpoint is None:
        model.init_weights()
        return model.eval()
    state = unwrap_state_dict(CheckpointLoader.load_checkpoint(checkpoint, 'cpu'))
    mismatch = load_state_exact(model, state)
    if mismatch and allow_backbone_only and state and all(
            k.startswith('backbone.') for k in state):
        model.init_weights()
        mismatch = load_state_exact(model.backbone, state, 'backbone.')
    if mismatch:
        raise SystemExit(f'{checkpoint} does not fit the model of this config: {mismatch}; '
                         'pass a checkpoint written by training this config')
    return model.eval()


def register_trusted_local_loader() -> None:
    """Make mmengine load local files with :func:`load_local_checkpoint`."""
    CheckpointLoader.register_scheme(prefixes='', loader=load_local_checkpoint, force=True)

"""Multiply-add counter for Mobile-Former (and any conv/linear network).

Counts, per image: convolutions and linear layers; the matrix products of
Mobile-Former's attention (both bridges and the Former); and the two
multiplies per element of every dynamic ReLU. The Mobile-Former paper's
MAdds are approached only when the dynamic-ReLU multiplies are included
(mobileformer.md, section 3.1); ``count_dynamic_relu=False`` leaves them out.
Normalisation, activations and additions are not counted.
"""
from typing import Dict, Tuple

import torch
from torch import nn

from ..models.utils.bridges import FormerToMobile, MobileToFormer
from ..models.utils.dynamic_relu import TokenDynamicReLU
from ..models.utils.former import Former


def _conv(m: nn.Conv2d, inp, out) -> int:
    kh, kw = m.kernel_size
    return out[0].numel() * (m.in_channels // m.groups) * kh * kw


def _linear(m: nn.Linear, inp, out) -> int:
    return out[0].numel() * m.in_features


def _mobile_to_former(m: MobileToFormer, inp, out) -> int:
    x, tokens = inp
    _, c, h, w = x.shape
    return 2 * tokens.shape[1] * h * w * c  # Q K^T and A V over all heads


def _former_to_mobile(m: FormerToMobile, inp, out) -> int:
    x, tokens = inp
    _, c, h, w = x.shape
    return 2 * h * w * tokens.shape[1] * c


def _former(m: Former, inp, out) -> int:
    _, tokens, dims = inp[0].shape
    return 2 * tokens * tokens * dims


def _dynamic_relu(m: TokenDynamicReLU, inp, out) -> int:
    return 2 * out[0].numel()


def count_madds(model: nn.Module, input_shape: Tuple[int, int, int] = (3, 224, 224),
                count_dynamic_relu: bool = True) -> Dict[str, int]:
    """MAdds of one ``input_shape`` image through ``model`` (``model(x)`` is called).

    Returns:
        dict: ``total`` and the share of each counted kind.
    """
    counters = {'conv': (nn.Conv2d, _conv), 'linear': (nn.Linear, _linear),
                'attention': ((MobileToFormer, FormerToMobile, Former), None),
                'dynamic_relu': (TokenDynamicReLU, _dynamic_relu)}
    totals = dict.fromkeys(counters, 0)
    attention = {MobileToFormer: _mobile_to_former, FormerToMobile: _former_to_mobile,
                 Former: _former}
    handles = []

    def hook(kind, fn):
        def _hook(module, inp, out):
            out = out if isinstance(out, (tuple, list)) else (out, )
            totals[kind] += fn(module, inp, out)
        return _hook

    for module in model.modules():
        for kind, (types, fn) in counters.items():
            if kind == 'dynamic_relu' and not count_dynamic_relu:
                continue
            if isinstance(module, types):
                handles.append(module.register_forward_hook(
                    hook(kind, fn or attention[type(module)])))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, *input_shape))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    totals['total'] = sum(totals.values())
    return totals

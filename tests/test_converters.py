import pytest
import torch

from qbheat_mm.converters import convert_official
from qbheat_mm.converters.mobileformer_official import RULES, reference_state_dict


def to_official(ours):
    """Rename our names to the released ones (the inverse of the converter's rules)."""
    out = {}
    for key, value in ours.items():
        for old, new in RULES:
            if key.startswith(new):
                out[old + key[len(new):]] = value
                break
        else:
            raise AssertionError(key)
    return out


@pytest.mark.parametrize('arch', ['26m', '294m'])
def test_roundtrip_detects_arch(arch):
    ours = {k: torch.randn(v.shape) if v.is_floating_point() else v
            for k, v in reference_state_dict(arch, 1000).items()}
    official = to_official(ours)
    assert 'tokens.weight' in official and 'classifier.classifier.1.weight' in official
    assert 'features.1.local_global.alpha.0.weight' in official
    converted, detected = convert_official({'state_dict': official})
    assert detected == arch
    assert converted.keys() == ours.keys()
    assert all(torch.equal(converted[k], ours[k]) for k in ours)


def test_module_prefix_and_errors():
    official = to_official(reference_state_dict('26m', 10))
    converted, arch = convert_official({f'module.{k}': v for k, v in official.items()})
    assert arch == '26m'
    with pytest.raises(KeyError, match="match no Mobile-Former name: \\['extra.w'\\]"):
        convert_official({**official, 'extra.w': torch.ones(1)})
    broken = dict(official)
    broken.pop('features.3.conv1.0.weight')
    with pytest.raises(KeyError, match="missing \\['backbone.features.3.conv1.0.weight'\\]"):
        convert_official(broken, arch='26m')

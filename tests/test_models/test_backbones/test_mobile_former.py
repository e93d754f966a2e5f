import pytest
import torch
from torch.nn.modules.batchnorm import _BatchNorm

from qbheat_mm.models import MobileFormer, MobileFormerClsHead

# authors' released models with a 1000-class head (mobileformer.md, section 8)
EXACT_PARAMS = {
    '508m': 13_976_976, '294m': 11_422_648, '214m': 9_425_920, '151m': 7_595_828,
    '96m': 4_585_252, '52m': 3_469_092, '26m': 3_232_788,
}


def count(*modules):
    return sum(p.numel() for m in modules for p in m.parameters())


@pytest.mark.parametrize('arch', sorted(EXACT_PARAMS))
def test_exact_parameter_counts(arch):
    backbone = MobileFormer(arch, out_indices=(4, ), return_tokens=True)
    head = MobileFormerClsHead(num_classes=1000, arch=arch)
    assert count(backbone, head) == EXACT_PARAMS[arch]


def test_stage_shapes_294m_at_224():
    model = MobileFormer('294m', out_indices=(0, 1, 2, 3, 4), return_tokens=True).eval()
    with torch.no_grad():
        outs = model(torch.randn(2, 3, 224, 224))
    assert [tuple(o.shape) for o in outs] == [
        (2, 16, 112, 112), (2, 24, 56, 56), (2, 48, 28, 28), (2, 128, 14, 14),
        (2, 192, 7, 7), (2, 6, 192)]
    assert model.out_channels == [16, 24, 48, 128, 192]


@pytest.mark.parametrize('arch,channels,tokens', [
    ('508m', [40, 72, 176, 240], (6, 192)), ('96m', [16, 32, 88, 128], (4, 128)),
    ('52m', [12, 24, 64, 96], (3, 128)), ('26m', [12, 24, 64, 96], (3, 128))])
def test_default_outputs_every_family(arch, channels, tokens):
    model = MobileFormer(arch, return_tokens=True).eval()
    with torch.no_grad():
        *maps, tok = model(torch.randn(1, 3, 64, 64))
    assert [m.shape[1] for m in maps] == channels
    assert [m.shape[-1] for m in maps] == [16, 8, 4, 2]
    assert tuple(tok.shape) == (1, ) + tokens


def _ceil_halvings(n, times):
    for _ in range(times):
        n = (n + 1) // 2
    return n


@pytest.mark.parametrize('size', [(64, 64), (67, 45)])
def test_forward_backward_any_size(size):
    model = MobileFormer('26m', out_indices=(1, 2, 3, 4), return_tokens=True)
    x = torch.randn(2, 3, *size, requires_grad=True)
    outs = model(x)
    for stage, out in zip((1, 2, 3, 4), outs[:-1]):
        assert out.shape[-2:] == tuple(_ceil_halvings(n, stage + 1) for n in size)
    sum(o.mean() for o in outs).backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()
    assert all(p.grad is not None for p in model.parameters())


def test_frozen_stages_bitwise_unchanged_after_step():
    model = MobileFormer('26m', out_indices=(4, ), frozen_stages=2)
    model.init_weights()
    model.train()
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    frozen_buffers = {n: b.clone() for n, b in model.named_buffers()
                      if n.startswith(('stem', 'features.0', 'features.1', 'features.2',
                                       'features.3')) and 'running' in n}
    trainable = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    assert 'tokens.weight' in frozen and 'stem.0.weight' in frozen
    # 26m: stride-4 stage = blocks 0-1, stride-8 stage = blocks 2-3; block 4 on trains
    assert any(n.startswith('features.3.') for n in frozen)
    assert not any(n.startswith('features.4.') for n in frozen)
    optim = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model(torch.randn(2, 3, 64, 64))[0].pow(2).mean().backward()
    optim.step()
    for n, p in model.named_parameters():
        if n in frozen:
            assert torch.equal(p, frozen[n]), n
    for n, b in model.named_buffers():
        if n in frozen_buffers:
            assert torch.equal(b, frozen_buffers[n]), n
    assert any(not torch.equal(p, trainable[n]) for n, p in model.named_parameters()
               if n in trainable)


def test_frozen_all_and_norm_eval():
    model = MobileFormer('26m', frozen_stages=4, norm_eval=True)
    model.train()
    assert not any(p.requires_grad for p in model.parameters())
    assert all(not m.training for m in model.modules() if isinstance(m, _BatchNorm))
    stats = {n: b.clone() for n, b in model.named_buffers()}
    model(torch.randn(2, 3, 64, 64))
    assert all(torch.equal(b, stats[n]) for n, b in model.named_buffers())


def test_norm_eval_only_keeps_bn_statistics():
    model = MobileFormer('26m', norm_eval=True)
    model.train()
    assert all(p.requires_grad for p in model.parameters())
    stats = {n: b.clone() for n, b in model.named_buffers() if 'running' in n}
    model(torch.randn(2, 3, 64, 64))
    assert all(torch.equal(b, stats[n]) for n, b in model.named_buffers() if n in stats)
    model.norm_eval = False
    model.train()
    model(torch.randn(2, 3, 64, 64))
    assert any(not torch.equal(b, stats[n]) for n, b in model.named_buffers() if n in stats)


def test_release_init_behaviour():
    """At the released init DyReLU starts as ReLU and the bridge gates near 1."""
    model = MobileFormer('26m')
    model.init_weights()
    block = model.features[1]
    token = torch.randn(4, 128)
    a = block.hyper1.coefficients(token)
    assert torch.allclose(a[:, 0], torch.ones_like(a[:, 0]), atol=0.1)
    assert torch.allclose(a[:, 1], torch.zeros_like(a[:, 1]), atol=0.1)
    gate = 2 * block.local_global.alpha(token)
    assert torch.allclose(gate, torch.ones_like(gate), atol=0.1)


def test_with_cp_matches():
    model = MobileFormer('26m', out_indices=(4, )).eval()
    x = torch.randn(1, 3, 64, 64, requires_grad=True)
    ref = model(x)[0]
    model.with_cp = True
    assert torch.allclose(model(x)[0], ref)


@pytest.mark.parametrize('kwargs,match', [
    (dict(arch='1000m'), 'unknown arch'),
    (dict(arch=dict(stem_channels=8)), 'lacks'),
    (dict(out_indices=(5, )), 'out of range'),
    (dict(out_indices=(), return_tokens=False), 'nothing would be returned'),
    (dict(frozen_stages=5), 'frozen_stages'),
    (dict(frozen_stages=-2), 'frozen_stages'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        MobileFormer(**kwargs)


@pytest.mark.parametrize('shape', [(3, 64, 64), (2, 1, 64, 64), (2, 4, 64, 64)])
def test_bad_input(shape):
    with pytest.raises(ValueError, match=r'expects images of shape \(B, 3, H, W\)'):
        MobileFormer('26m')(torch.randn(*shape))


def test_cls_head_needs_tokens():
    head = MobileFormerClsHead(num_classes=10, arch='26m')
    with pytest.raises(ValueError, match='return_tokens=True'):
        head((torch.randn(2, 96, 2, 2), ))
    feats = MobileFormer('26m', out_indices=(4, ), return_tokens=True)(torch.randn(2, 3, 64, 64))
    assert head(feats).shape == (2, 10)

import pytest
import torch

from qbheat_mm.models.necks import LEWELNeck


def small_neck(**kwargs):
    cfg = dict(in_channels=8, hid_channels=32, out_channels=16, num_heads=2,
               norm_cfg=dict(type='BN1d'))
    cfg.update(kwargs)
    neck = LEWELNeck(**cfg)
    neck.init_weights()
    return neck


def test_shapes_and_maps_sum_to_one():
    neck = small_neck()
    x = torch.randn(4, 8, 3, 3)
    z_g, aligned = neck((x, ))
    assert z_g.shape == (4, 16) and aligned.shape == (4, 8, 16)   # K = 16 / 2
    maps = neck.alignment_maps(torch.randn(4, 9, 16))
    assert maps.shape == (4, 16, 9)
    assert torch.allclose(maps.sum(-1), torch.ones(4, 16))
    # l2-normalised projections with s = 1: weights within a factor e^2 of each other
    assert (maps.max(-1).values / maps.min(-1).values).max() <= torch.e ** 2 + 1e-4


def test_grouped_aggregation_by_hand():
    """C = 4 channels, N = 2 positions, G = 2 groups, K = 1 map per group."""
    neck = small_neck(in_channels=4, out_channels=2, num_heads=2)
    x = torch.tensor([[[1., 3.], [2., 4.], [10., 20.], [30., 40.]]])   # (1, 4, 2)
    maps = torch.tensor([[[0.25, 0.75], [1.0, 0.0]]])                   # (1, D=2, 2)
    out = neck.aggregate(x, maps)                                       # (1, K=1, C=4)
    # group 0 (channels 0, 1) pooled with map 0, group 1 (channels 2, 3) with map 1
    assert torch.allclose(out, torch.tensor([[[2.5, 3.5, 10., 30.]]]))


def test_one_position_gives_gap_features():
    neck = small_neck(min_positions=1).eval()
    x = torch.randn(3, 8, 1, 1)
    _, aligned = neck((x, ))
    expected = neck.aligned_projector((x.flatten(1), ))[0]
    assert torch.allclose(aligned, expected[:, None].expand_as(aligned), atol=1e-6)
    # and the same on a 2x2 map whose features do not vary over positions
    flat = x.expand(3, 8, 2, 2)
    maps = neck.alignment_maps(torch.randn(3, 4, 16))
    pooled = neck.aggregate(flat.flatten(2), maps)
    assert torch.allclose(pooled, x.flatten(1)[:, None].expand(3, 8, 8), atol=1e-6)


def test_uses_last_map_of_a_tuple_with_tokens():
    neck = small_neck().eval()
    x = torch.randn(2, 8, 2, 2)
    tokens = torch.randn(2, 6, 5)
    out_tuple, out_map = neck((torch.randn(2, 4, 4, 4), x, tokens)), neck((x, ))
    assert all(torch.equal(a, b) for a, b in zip(out_tuple, out_map))


@pytest.mark.parametrize('kwargs, match', [
    (dict(in_channels=6, num_heads=4), 'in_channels=6 is not divisible by num_heads=4'),
    (dict(out_channels=18, num_heads=4), 'out_channels=18 is not divisible'),
    (dict(scale=0.), 'scale'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        small_neck(**kwargs)


def test_bad_inputs():
    neck = small_neck()
    with pytest.raises(ValueError, match='fewer than min_positions=2.*stride 16'):
        neck((torch.randn(2, 8, 1, 1), ))
    with pytest.raises(ValueError, match='needs a \\(B, C, h, w\\) feature map'):
        neck((torch.randn(2, 8), ))
    with pytest.raises(ValueError, match='set in_channels=5'):
        neck((torch.randn(2, 5, 2, 2), ))

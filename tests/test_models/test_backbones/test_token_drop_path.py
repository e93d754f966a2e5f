"""Drop path on Mobile-Former's tokens as the authors apply it: their tokens are (M, B, d) and
timm's DropPath draws per entry of the first dimension, so a token index is dropped for the
whole batch; the final bridge before the classifier drops too."""
import pytest
import torch
from mmpretrain.registry import MODELS

from qbheat_mm.models.utils.token_drop_path import TokenDropPath


def authors_drop_path(tokens_mbd, p):
    """timm's drop_path on the authors' (M, B, d) layout (scale_by_keep)."""
    keep = 1 - p
    mask = tokens_mbd.new_empty((tokens_mbd.shape[0], ) + (1, ) * (tokens_mbd.ndim - 1))
    return tokens_mbd * mask.bernoulli_(keep).div_(keep)


def test_token_mode_drops_whole_token_rows_for_the_whole_batch():
    drop = TokenDropPath(0.5, 'token').train()
    out = drop(torch.ones(4, 64, 8))
    per_token = out[0, :, 0]
    assert torch.equal(out, per_token[None, :, None].expand(4, 64, 8))   # same for all b, c
    assert set(per_token.unique().tolist()) == {0.0, 2.0}


def test_token_mode_is_the_authors_draw_for_draw():
    x = torch.randn(4, 6, 8)                       # ours: (B, M, d)
    torch.manual_seed(3)
    ours = TokenDropPath(0.3, 'token').train()(x)
    torch.manual_seed(3)
    theirs = authors_drop_path(x.transpose(0, 1), 0.3).transpose(0, 1)
    assert torch.equal(ours, theirs)


def test_sample_mode_drops_per_image():
    out = TokenDropPath(0.5, 'sample').train()(torch.ones(64, 6, 8))
    per_image = out[:, 0, 0]
    assert torch.equal(out, per_image[:, None, None].expand(64, 6, 8))
    assert set(per_image.unique().tolist()) == {0.0, 2.0}


def test_identity_in_eval_and_bad_arguments():
    x = torch.randn(2, 6, 8)
    assert torch.equal(TokenDropPath(0.5).eval()(x), x)
    with pytest.raises(ValueError, match='mode'):
        TokenDropPath(0.1, 'batch')
    with pytest.raises(ValueError, match='drop_prob'):
        TokenDropPath(1.0)


def test_backbone_and_final_bridge_use_the_authors_drop_path():
    backbone = MODELS.build(dict(type='MobileFormer', arch='26m', drop_path_rate=0.2))
    token_drops = [m for name, m in backbone.named_modules() if isinstance(m, TokenDropPath)]
    assert token_drops and all(m.mode == 'token' for m in token_drops)
    rates = [m.drop_prob for m in token_drops]
    assert rates == sorted(rates) and rates[-1] == pytest.approx(0.2)   # linear in depth
    head = MODELS.build(dict(type='MobileFormerClsHead', arch='26m', num_classes=10,
                             drop_path_rate=0.2))
    assert isinstance(head.local_global.drop_path, TokenDropPath)
    assert head.local_global.drop_path.drop_prob == 0.2        # the full rate, as the authors
    bridge = head.local_global
    x = torch.randn(2, bridge.q.out_features, 4, 4)
    tokens = torch.randn(2, 6, bridge.q.in_features)
    head.train()
    torch.manual_seed(0)
    a = head.local_global(x, tokens)
    head.eval()
    b = head.local_global(x, tokens)
    assert not torch.allclose(a, b)          # dropping in training, identity in eval

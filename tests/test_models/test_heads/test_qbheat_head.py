import pytest
import torch

from qbheat_mm.models import QBHeatHead


def make_head(**kwargs):
    cfg = dict(decoder=dict(type='QBHeatConvDecoder', in_channels=8, embed_dims=16, depth=1),
               patch_size=4)
    cfg.update(kwargs)
    return QBHeatHead(**cfg)


def test_patchify_roundtrip():
    head = make_head()
    img = torch.randn(2, 3, 8, 12)
    patches = head.patchify(img)
    assert patches.shape == (2, 6, 48)
    assert torch.equal(head.unpatchify(patches, (2, 3)), img)
    # cell (0, 1) holds pixels [0:4, 4:8]
    assert torch.equal(patches[0, 1].view(4, 4, 3).permute(2, 0, 1), img[0, :, 0:4, 4:8])


def test_norm_pix_target_is_normalised_per_patch():
    head = make_head()
    target = head.construct_target(torch.rand(2, 3, 8, 8) * 255)
    assert torch.allclose(target.mean(-1), torch.zeros(2, 4), atol=1e-4)
    assert torch.allclose(target.std(-1), torch.ones(2, 4), atol=1e-3)
    raw = make_head(norm_pix=False)
    img = torch.rand(2, 3, 8, 8)
    assert torch.equal(raw.construct_target(img), raw.patchify(img))


def test_masked_cells():
    assert QBHeatHead.masked_cells((2, 2)).tolist() == [0., 1., 1., 1.]
    assert QBHeatHead.masked_cells((4, 4)).view(4, 4)[:2, :2].sum() == 0
    assert QBHeatHead.masked_cells((4, 4)).sum() == 12


@pytest.mark.parametrize('decoder', [
    dict(type='QBHeatConvDecoder', in_channels=8, embed_dims=16, depth=2),
    dict(type='QBHeatTransformerDecoder', in_channels=8, embed_dims=16, depth=1, num_heads=2)])
def test_decoders_and_loss(decoder):
    head = make_head(decoder=decoder)
    feats = torch.randn(2, 8, 4, 4, requires_grad=True)
    assert head(feats).shape == (2, 16, 48)
    loss = head.loss(feats, torch.randn(2, 3, 16, 16))
    assert loss.ndim == 0 and loss > 0
    loss.backward()
    assert feats.grad is not None


def test_masked_loss_ignores_visible_predictions():
    head = make_head()
    grid = (2, 2)
    target = torch.randn(2, 3, 8, 8)
    pred = torch.randn(2, 4, 48)
    changed = pred.clone()
    changed[:, 0] += 10.  # cell (0, 0) = the visible quarter
    assert torch.equal(head.loss_by_pred(pred, target, grid),
                       head.loss_by_pred(changed, target, grid))
    changed[:, 3] += 10.  # a masked cell does count
    assert not torch.equal(head.loss_by_pred(pred, target, grid),
                           head.loss_by_pred(changed, target, grid))
    full = make_head(loss_region='full')
    changed = pred.clone()
    changed[:, 0] += 10.
    assert not torch.equal(full.loss_by_pred(pred, target, grid),
                           full.loss_by_pred(changed, target, grid))


def test_size_mismatch_and_bad_region():
    with pytest.raises(ValueError, match="encoder's output stride"):
        make_head().loss(torch.randn(1, 8, 2, 2), torch.randn(1, 3, 16, 16))
    with pytest.raises(ValueError, match='choose one of'):
        make_head(loss_region='visible')

"""The transformer decoder's attention choice: 'local' keeps masked cells from reading the
visible quarter; 'global' lets them."""
import pytest
import torch

from qbheat_mm.models.necks.qbheat_transformer_decoder import QBHeatTransformerDecoder


def decoder(attention):
    torch.manual_seed(0)
    dec = QBHeatTransformerDecoder(in_channels=8, patch_size=2, embed_dims=16, depth=2,
                                   num_heads=2, attention=attention).double()
    dec.init_weights()
    return dec.eval()


def test_visible_cells_are_the_top_left_quarter():
    vis = QBHeatTransformerDecoder.visible_cells(4, 6, torch.device('cpu')).view(4, 6)
    assert vis[:2, :3].all() and vis.sum() == 6


@pytest.mark.parametrize('attention', ['global', 'local'])
def test_masked_cells_see_the_visible_quarter_only_with_global_attention(attention):
    dec = decoder(attention)
    x = torch.randn(2, 8, 4, 4, dtype=torch.float64)
    y = x.clone()
    y[..., :2, :2] += torch.randn(2, 8, 2, 2, dtype=torch.float64)   # change the visible cells
    vis = QBHeatTransformerDecoder.visible_cells(4, 4, x.device)
    out_x, out_y = dec(x), dec(y)
    assert out_x.shape == (2, 16, 2 * 2 * 3)
    changed = (out_x[:, ~vis] - out_y[:, ~vis]).abs().max()
    if attention == 'local':
        assert changed == 0                                   # masked cells: bitwise the same
        assert (out_x[:, vis] - out_y[:, vis]).abs().max() > 1e-3
    else:
        assert changed > 1e-3


def test_local_attention_equals_two_separate_sequences():
    """Block-diagonal attention: the masked cells' output equals the decoder run on the
    masked cells alone (same weights, same positions)."""
    dec = decoder('local')
    x = torch.randn(1, 8, 4, 4, dtype=torch.float64)
    vis = QBHeatTransformerDecoder.visible_cells(4, 4, x.device)
    seq = dec.embed(x.flatten(2).transpose(1, 2)) + dec.pos_embed(4, 4, x.new_zeros(1))
    masked = seq[:, ~vis]
    for block in dec.blocks:
        masked = block(masked)
    assert torch.allclose(dec(x)[:, ~vis], dec.pred(dec.norm(masked)), atol=1e-12)


def test_bad_attention_names_the_choices():
    with pytest.raises(ValueError, match="attention='full'.*'global', 'local'"):
        QBHeatTransformerDecoder(in_channels=8, patch_size=2, attention='full')

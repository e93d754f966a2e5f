"""The hypothesis tool: it recovers planted heat operators, finds nothing in shuffled
features, and runs end to end on any backbone config (full and backbone-only checkpoints)."""
import json
import os.path as osp

import pytest
import torch

from qbheat_mm.analysis.heat_invariance import (commutator, fit_step, heat_invariance,
                                                 neighbour_pairs, per_image_r2, standardise)

from .helpers import load_tool, write_images
from .test_patch_aggregation import CONFIG


def planted_maps(n=60, c=6, h=5, w=6, seed=0, scale=0.15):
    """z(x, y) = (I + A)^x (I + B)^y z0 with commuting A, B (a shared eigenbasis), so the
    maps obey both first-order steps exactly; z0 random per image."""
    g = torch.Generator().manual_seed(seed)
    basis = torch.linalg.qr(torch.randn(c, c, generator=g))[0]
    A = basis @ torch.diag(scale * torch.randn(c, generator=g)) @ basis.T
    B = basis @ torch.diag(scale * torch.randn(c, generator=g)) @ basis.T
    px, py = torch.eye(c) + A, torch.eye(c) + B
    maps = torch.zeros(n, c, h, w)
    for i in range(n):
        row = torch.randn(c, generator=g)
        for y in range(h):
            cell = row
            for x in range(w):
                maps[i, :, y, x] = cell
                cell = px @ cell
            row = py @ row
    return maps, A, B


def test_neighbour_pairs_pair_each_cell_with_its_right_and_lower_neighbour():
    maps = torch.arange(2 * 1 * 2 * 3, dtype=torch.float).view(2, 1, 2, 3)
    src, dst = neighbour_pairs(maps, 'x')
    assert src.shape == (2 * 2 * 2, 1) and torch.equal(dst - src, torch.ones(8, 1))
    src, dst = neighbour_pairs(maps, 'y')
    assert src.shape == (2 * 1 * 3, 1) and torch.equal(dst - src, 3 * torch.ones(6, 1))
    with pytest.raises(ValueError, match="'x' or 'y'"):
        neighbour_pairs(maps, 'z')


def test_planted_operators_are_recovered_with_r2_of_one():
    maps, A, B = planted_maps()
    res = heat_invariance(maps[:30], maps[30:])
    assert res['r2_x'] == pytest.approx(1.0, abs=1e-5)
    assert res['r2_y'] == pytest.approx(1.0, abs=1e-5)
    assert torch.allclose(res['A'], A, atol=1e-4) and torch.allclose(res['B'], B, atol=1e-4)
    assert res['commutator'] == pytest.approx(0.0, abs=1e-4)
    assert res['r2_identity_x'] < res['r2_x'] and res['r2_per_image_x'] > 0.9


def test_shuffled_positions_give_r2_near_zero():
    maps, _, _ = planted_maps(n=200)
    c = maps.shape[1]
    cells = maps.permute(0, 2, 3, 1).reshape(-1, c)
    shuffled = cells[torch.randperm(len(cells), generator=torch.Generator().manual_seed(1))]
    shuffled = shuffled.view(200, 5, 6, c).permute(0, 3, 1, 2)
    res = heat_invariance(shuffled[:100], shuffled[100:])
    assert abs(res['r2_x']) < 0.05 and abs(res['r2_y']) < 0.05
    assert res['r2_identity_x'] < -0.5          # a random cell is a bad guess of another


def test_finola_fit_recovers_a_planted_normalised_step():
    g = torch.Generator().manual_seed(0)
    A = 0.3 * torch.randn(5, 5, generator=g)
    src = torch.randn(4000, 5, generator=g)
    dst = src + standardise(src) @ A.T
    fitted = fit_step(src, dst, normalised=True)
    # z_hat has zero channel mean, so A is identified on that subspace only (A (I - 11'/C))
    centre = torch.eye(5) - torch.ones(5, 5) / 5
    assert torch.allclose(fitted @ centre, A @ centre, atol=1e-4)
    assert torch.allclose(src + standardise(src) @ fitted.T, dst, atol=1e-4)


def test_commutator_of_non_commuting_maps_is_positive():
    A = torch.tensor([[0., 1.], [0., 0.]])
    B = torch.tensor([[0., 0.], [1., 0.]])
    assert commutator(A, B) == pytest.approx(2 ** 0.5)   # ||diag(1, -1)|| / (1 x 1)
    assert commutator(A, A) == 0.


def test_per_image_maps_need_two_rows():
    with pytest.raises(ValueError, match='too small'):
        per_image_r2(torch.randn(3, 4, 1, 1), 'x')


def test_tool_writes_table_json_and_png_for_full_and_backbone_checkpoints(tmp_path):
    cfg = tmp_path / 'bag.py'
    cfg.write_text(CONFIG)
    data = write_images(str(tmp_path / 'images'), count=6, size=96)
    tool = load_tool('analysis_tools/heat_invariance.py')
    from mmengine.config import Config

    from qbheat_mm.checkpoint import build_model
    model = build_model(Config.fromfile(str(cfg)))
    full = str(tmp_path / 'full.pth')
    torch.save({'state_dict': model.state_dict()}, full)
    backbone = str(tmp_path / 'backbone.pth')
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in
                               model.backbone.state_dict().items()}}, backbone)
    out = tmp_path / 'out'
    results = tool.main([str(cfg), data, '--label', 'init', '--image-size', '128',
                         '--out-dir', str(out), '--extra', str(cfg), full, 'full',
                         '--extra', str(cfg), backbone, 'backbone-only'])
    assert set(results) == {'init', 'full', 'backbone-only'}
    # the same weights give the same numbers through either checkpoint
    assert results['full']['linear']['r2_x'] == pytest.approx(
        results['backbone-only']['linear']['r2_x'], abs=1e-6)
    for variants in results.values():
        assert set(variants) == {'linear', 'finola'}
        assert all(v <= 1.0 for k, v in variants['linear'].items() if k.startswith('r2'))
    text = (out / 'heat_invariance.md').read_text()
    assert '| init | z + A z |' in text and 'FINOLA' in text
    assert json.loads((out / 'heat_invariance.json').read_text())['full']['finola']
    assert osp.getsize(out / 'heat_invariance.png') > 1000


def test_tool_refuses_bad_input(tmp_path):
    cfg = tmp_path / 'bag.py'
    cfg.write_text(CONFIG)
    tool = load_tool('analysis_tools/heat_invariance.py')
    with pytest.raises(SystemExit, match='not a folder'):
        tool.main([str(cfg), str(tmp_path / 'nowhere')])
    data = write_images(str(tmp_path / 'images'), count=2, size=64)
    with pytest.raises(SystemExit, match='2 x 2 cells'):
        tool.main([str(cfg), 'none', data, '--image-size', '32'])
    wrong = str(tmp_path / 'wrong.pth')
    torch.save({'state_dict': {'backbone.nothing': torch.zeros(1)}}, wrong)
    with pytest.raises(SystemExit, match='does not fit'):
        tool.main([str(cfg), wrong, data])

import numpy as np
import pytest
import torch

from qbheat_mm.visualization import reconstruction_grid

from .test_models.test_algorithms.test_qbheat import MF26, build


def test_perfect_prediction_renders_as_the_target_image():
    """A prediction equal to the normalised target, de-normalised with the target patches'
    mean and variance, is the target image; the pasted column shows the visible quarter."""
    model = build(dict(MF26, data_preprocessor=dict(
        type='SelfSupDataPreprocessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], to_rgb=True)))
    inputs = torch.randn(2, 3, 128, 128)
    model.head.forward = lambda full: model.head.construct_target(inputs)
    pic, loss = reconstruction_grid(model, inputs, border=0)
    assert loss == pytest.approx(0.0, abs=1e-6)
    body = pic[18:18 + 2 * 128]                       # header above, footer below
    tiles = [body[:, i * 128:(i + 1) * 128] for i in range(5)]
    recon, pasted, target = tiles[2], tiles[3], tiles[4]
    assert np.abs(recon.astype(int) - target.astype(int)).max() <= 1
    assert np.array_equal(pasted[:64, :64], tiles[0][:64, :64])
    normalised, _ = reconstruction_grid(model, inputs, border=0, view='normalised')
    assert normalised.shape == (18 + 2 * 128, 4 * 128, 3)
    with pytest.raises(ValueError, match='view'):
        reconstruction_grid(model, inputs, view='raw')

import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS

from qbheat_mm.datasets import shift_hue


def test_shift_hue_handles_negative_factors_and_wraps():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    assert shift_hue(img, 0.0).shape == img.shape
    back = shift_hue(shift_hue(img, -0.1), 0.1)
    assert np.abs(back.astype(int) - img.astype(int)).mean() < 6  # HSV round trips are lossy
    red = np.zeros((1, 1, 3), np.uint8)
    red[..., 2] = 255                                   # BGR red
    assert shift_hue(red, 1 / 3)[0, 0].argmax() == 1    # a third of a turn: green
    assert shift_hue(red, -1 / 3)[0, 0].argmax() == 0   # minus a third: blue
    with pytest.raises(ValueError, match='not in'):
        shift_hue(img, 0.7)


def test_hue_safe_color_jitter_runs_where_stock_fails():
    img = np.random.default_rng(1).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    ours = TRANSFORMS.build(dict(type='HueSafeColorJitter', brightness=0.4, contrast=0.4,
                                 saturation=0.4, hue=0.1))
    np.random.seed(0)
    for _ in range(20):  # negative hue factors come up about half the time
        assert ours.transform({'img': img.copy()})['img'].shape == img.shape


def test_random_patch_crop_takes_a_patch_of_the_image():
    from qbheat_mm.datasets import RandomPatchCrop
    img = np.arange(40 * 50 * 3, dtype=np.int64).reshape(40, 50, 3).astype(np.float32)
    np.random.seed(0)
    out = RandomPatchCrop(patch_size=16)(dict(img=img.copy()))['img']
    assert out.shape == (16, 16, 3)
    y, x = np.argwhere(img[..., 0] == out[0, 0, 0])[0]          # values are unique
    assert np.array_equal(out, img[y:y + 16, x:x + 16])
    resized = RandomPatchCrop(patch_size=16, output_size=32)(
        dict(img=img.astype(np.uint8)))
    assert resized['img'].shape == (32, 32, 3) and resized['img_shape'] == (32, 32)
    with pytest.raises(ValueError, match='patch_size=64 is larger than the 40x50 view'):
        RandomPatchCrop(patch_size=64)(dict(img=img))

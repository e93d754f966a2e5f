"""GTSAMultiCrop: box bookkeeping, rotation direction and the overlap rule."""
import numpy as np
import pytest
import torch
import torchvision.transforms.functional as TF
from mmpretrain.registry import TRANSFORMS

from qbheat_mm.datasets.transforms import GTSAMultiCrop, rotate_box


def coordinate_image(height=240, width=250):
    """R = x, G = y (pixel centres), B = 0: every pixel names its own position."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x, y, np.zeros_like(x)], axis=-1).astype(np.uint8)


@pytest.mark.parametrize('k', [0, 1, 2, 3])
def test_rotated_box_selects_the_same_pixels_as_np_rot90(k):
    side = 20
    img = np.zeros((side, side), dtype=np.int64)
    box = (3, 5, 9, 16)          # x1, y1, x2, y2: columns 3..8, rows 5..15
    img[box[1]:box[3], box[0]:box[2]] = 1
    rotated = np.rot90(img, k)
    x1, y1, x2, y2 = rotate_box(np.array(box, dtype=float), k, side).astype(int)
    expected = np.zeros_like(rotated)
    expected[y1:y2, x1:x2] = 1
    assert (rotated == expected).all()
    assert rotated.sum() == img.sum()


@pytest.mark.parametrize('k', [1, 2, 3])
def test_torch_rot90_is_a_counter_clockwise_rotation(k):
    x = torch.rand(3, 8, 8)
    assert torch.allclose(torch.rot90(x, k, dims=(-2, -1)), TF.rotate(x, 90. * k))
    # and equals np.rot90 on the HWC image
    hwc = x.permute(1, 2, 0).numpy()
    assert np.allclose(np.rot90(hwc, k), torch.rot90(x, k, (-2, -1)).permute(1, 2, 0).numpy())


def test_boxes_inside_crops_and_a_crop_meets_itself_in_full():
    np.random.seed(0)
    t = GTSAMultiCrop(num_global=2, num_local=3, global_size=64, local_size=32)
    for _ in range(20):
        out = t(dict(img=coordinate_image()))
        gc, all_, sizes = out['gtsa_gc_boxes'], out['gtsa_all_boxes'], t.sizes
        assert gc.shape == (2, 5, 4) and all_.shape == (5, 2, 4) and out['gtsa_rot'].shape == (5, )
        assert [c.shape for c in out['img']] == [(64, 64, 3)] * 2 + [(32, 32, 3)] * 3
        for g in range(2):
            assert np.allclose(gc[g, g], [0, 0, 64, 64]) and np.allclose(all_[g, g], gc[g, g])
            for v in range(5):
                assert (gc[g, v] >= 0).all() and (gc[g, v] <= 64).all()
                assert (all_[v, g] >= 0).all() and (all_[v, g] <= sizes[v]).all()
                assert gc[g, v][2] > gc[g, v][0] and gc[g, v][3] > gc[g, v][1]


def test_overlap_rule_holds_for_every_crop():
    np.random.seed(1)
    t = GTSAMultiCrop(num_global=2, num_local=6, global_size=32, local_size=16,
                      global_scale=(0.05, 0.3), local_scale=(0.02, 0.05), min_overlap=0.01,
                      min_global_overlap=0.02)
    img = coordinate_image()
    area = img.shape[0] * img.shape[1]
    for _ in range(20):
        out = t(dict(img=img))
        if out['gtsa_fallbacks']:
            continue
        boxes = out['gtsa_crop_boxes']
        for v, box in enumerate(boxes):
            for g in range(min(v, 2)):
                w = min(box[2], boxes[g][2]) - max(box[0], boxes[g][0])
                h = min(box[3], boxes[g][3]) - max(box[1], boxes[g][1])
                need = 0.02 if v < 2 else 0.01
                assert w > 0 and h > 0 and w * h > need * area


def test_both_frames_of_a_shared_region_show_the_same_image_pixels():
    """The centre of box gc[g, v] in crop g and of box all[v, g] in crop v (each rotated)
    decode (through R = x, G = y) to the same image position, the centre of the crops'
    intersection."""
    np.random.seed(2)
    t = GTSAMultiCrop(num_global=2, num_local=2, global_size=96, local_size=48,
                      interpolation='bilinear')
    for _ in range(10):
        out = t(dict(img=coordinate_image()))
        crops, boxes = out['img'], out['gtsa_crop_boxes']
        for g in range(2):
            for v in range(4):
                ix1, iy1 = np.maximum(boxes[g][:2], boxes[v][:2])
                ix2, iy2 = np.minimum(boxes[g][2:], boxes[v][2:])
                centre = np.array([(ix1 + ix2) / 2, (iy1 + iy2) / 2]) - 0.5
                for crop, box in ((crops[g], out['gtsa_gc_boxes'][g, v]),
                                  (crops[v], out['gtsa_all_boxes'][v, g])):
                    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                    pixel = crop[int(np.clip(cy, 0, crop.shape[0] - 1)),
                                 int(np.clip(cx, 0, crop.shape[1] - 1))]
                    assert np.abs(pixel[:2].astype(float) - centre).max() <= 4, (g, v)


def test_rotation_off_and_colour_pipeline_per_crop():
    np.random.seed(0)
    t = TRANSFORMS.build(dict(type='GTSAMultiCrop', num_global=2, num_local=1, global_size=32,
                              local_size=16, rotate=False,
                              global_transforms=[dict(type='RandomGrayscale', prob=1.0,
                                                      keep_channels=True)],
                              local_transforms=[]))
    out = t(dict(img=coordinate_image()))
    assert (out['gtsa_rot'] == 0).all()
    g0, local = out['img'][0], out['img'][2]
    assert (g0[..., 0] == g0[..., 1]).all()          # grey globals
    assert not (local[..., 0] == local[..., 1]).all()  # colour local


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='num_global'):
        GTSAMultiCrop(num_global=0)
    with pytest.raises(ValueError, match='local_scale'):
        GTSAMultiCrop(local_scale=(0.5, 0.2))

import pytest
import torch
from mmpretrain.registry import MODELS

from qbheat_mm.models.utils import crop_patches, patch_boxes, patch_embeddings

RESNET = dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'))


def bag_classifier(backbone=RESNET, **kwargs):
    cfg = dict(type='BagOfPatchesClassifier', backbone=backbone, patch_size=32,
               num_patches=4)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.eval()


def gap(model, x):
    return model.backbone(x)[-1].mean(dim=(2, 3))


def test_grid_boxes_by_hand():
    boxes = patch_boxes((96, 64), 32, 4, 'grid')
    assert boxes.tolist() == [[0, 0, 32, 32], [32, 0, 64, 32], [0, 64, 32, 96],
                              [32, 64, 64, 96]]
    rand = patch_boxes((96, 64), 32, 5, 'random', torch.Generator().manual_seed(0))
    assert (rand[:, :2] >= 0).all() and (rand[:, 2] <= 64).all() and (rand[:, 3] <= 96).all()


def test_crop_of_a_full_size_box_is_exact():
    x = torch.randn(2, 3, 32, 48)
    crops = crop_patches(x, torch.tensor([[8., 0., 40., 32.]]), 32)
    assert torch.allclose(crops, x[..., :, 8:40], atol=1e-6)


def test_full_image_as_the_only_box_is_plain_gap():
    model = bag_classifier(patch_size=64, num_patches=1)
    x = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(model.extract_feat(x)[0], gap(model, x), atol=1e-5)


def test_identical_boxes_equal_single_patch_features():
    model = bag_classifier(patch_size=32, num_patches=6, mode='random', seed=3)
    x = torch.randn(2, 3, 96, 96)
    box = model.boxes((96, 96))[:1]
    model.boxes = lambda size: box.repeat(6, 1)
    with torch.no_grad():
        feats = model.extract_feat(x)[0]
        single = gap(model, crop_patches(x, box, 32))
    assert torch.allclose(feats, single, atol=1e-5)


def test_patch_embeddings_in_bounded_calls_equal_one_call():
    """max_patches splits the backbone calls at whole images (at least one per call) and, for a
    backbone in eval mode, gives the features of one call."""
    torch.manual_seed(0)
    backbone = MODELS.build(RESNET)
    backbone.eval()                     # (mmpretrain's ResNet.train returns None)
    calls = []
    backbone.register_forward_hook(lambda m, args, out: calls.append(args[0].size(0)))
    images, boxes = torch.randn(5, 3, 64, 64), patch_boxes((64, 64), 32, 4)
    with torch.no_grad():
        one = patch_embeddings(backbone, images, boxes, 32, 'test')
        assert calls == [20]
        calls.clear()
        split = patch_embeddings(backbone, images, boxes, 32, 'test', max_patches=8)
        assert calls == [8, 8, 4]
        calls.clear()
        tiny = patch_embeddings(backbone, images, boxes, 32, 'test', max_patches=3)
        assert calls == [4] * 5
    assert split.shape == one.shape == (5, 4, 512)
    torch.testing.assert_close(split, one, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(tiny, one, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match='max_patches must be a positive'):
        patch_embeddings(backbone, images, boxes, 32, 'test', max_patches=0)


def test_bag_is_the_mean_of_its_patches_and_seeded():
    model = bag_classifier(patch_size=32, num_patches=5, mode='random', seed=1)
    x = torch.randn(2, 3, 80, 80)
    boxes = model.boxes((80, 80))
    assert torch.equal(boxes, model.boxes((80, 80)))            # same positions every call
    with torch.no_grad():
        per_patch = torch.stack([gap(model, crop_patches(x, b[None], 32)) for b in boxes])
        assert torch.allclose(model.extract_feat(x)[0], per_patch.mean(0), atol=1e-5)


@pytest.mark.parametrize('backbone, channels', [
    (dict(type='MobileFormer', arch='26m', out_indices=(4, )), 96),
    (dict(type='VisionTransformer', arch='deit-tiny', img_size=32, patch_size=16,
          out_type='featmap'), 192),
])
def test_any_backbone_with_a_classifier_head(backbone, channels):
    model = bag_classifier(backbone, patch_size=32, num_patches=4, feature_stride=16,
                           head=dict(type='LinearClsHead', num_classes=5,
                                     in_channels=channels))
    with torch.no_grad():
        feats = model.extract_feat(torch.randn(2, 3, 64, 64))[0]
        logits = model(torch.randn(2, 3, 64, 64), mode='tensor')
    assert feats.shape == (2, channels) and logits.shape == (2, 5)


def test_bad_arguments():
    with pytest.raises(ValueError, match='num_patches=0'):
        bag_classifier(num_patches=0)
    with pytest.raises(ValueError, match='16x16 patch leaves no feature cell'):
        bag_classifier(patch_size=16)
    with pytest.raises(ValueError, match='mode'):
        bag_classifier(mode='sliding')
    model = bag_classifier(patch_size=32)
    with pytest.raises(ValueError, match='larger than the 24x24 image'):
        model.extract_feat(torch.randn(1, 3, 24, 24))

"""The frozen ConvNeXt detector: with FrozenStagesConvNeXt no gradient reaches the backbone
and the optimiser keeps no state for it; mmpretrain's ConvNeXt with the same frozen_stages=4
still back-propagates into its output norms (what the config used to work around with lr 0)."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from ...conftest import REPO

CONFIG = osp.join(REPO, 'configs', 'mmdet', 'retinanet_convnext-tiny_fpn_frozen_1x_coco.py')


def detector(backbone_type: str):
    from mmdet.registry import MODELS
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    init_default_scope('mmdet')
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.update(type=backbone_type, init_cfg=None)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    sample = DetDataSample(metainfo=dict(img_shape=(128, 128), pad_shape=(128, 128),
                                         batch_input_shape=(128, 128)))
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[10., 20., 90., 100.]]),
                                       labels=torch.tensor([3]))
    return model, build_optim_wrapper(model, cfg.optim_wrapper), torch.randn(2, 3, 128, 128), \
        [sample, sample]


def test_no_gradient_and_no_optimiser_state_in_the_frozen_backbone():
    model, optim, images, samples = detector('FrozenStagesConvNeXt')
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    assert not any(p.requires_grad for p in model.backbone.parameters())
    for _ in range(2):
        optim.backward(model.parse_losses(model.loss(images, samples))[0])
        assert all(p.grad is None for p in model.backbone.parameters())
        assert model.neck.fpn_convs[0].conv.weight.grad is not None
        optim.step()
        optim.zero_grad()
    backbone_ids = {id(p) for p in model.backbone.parameters()}
    stateful = [p for p in optim.optimizer.state if id(p) in backbone_ids]
    assert not stateful and len(optim.optimizer.state) > 0      # the head and neck do train
    after = model.backbone.state_dict()
    assert all(torch.equal(after[k], v) for k, v in before.items())
    assert not any(m.training for m in model.backbone.modules() if not list(m.children()))


def test_stock_convnext_with_the_same_frozen_stages_still_gets_norm_gradients():
    model, optim, images, samples = detector('mmpretrain.ConvNeXt')
    optim.backward(model.parse_losses(model.loss(images, samples))[0])
    with_grad = sorted({n.split('.')[0] for n, p in model.backbone.named_parameters()
                        if p.grad is not None})
    assert with_grad == ['norm1', 'norm2', 'norm3']     # RetinaNet's FPN starts at level 1

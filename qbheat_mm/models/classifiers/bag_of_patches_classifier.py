"""Bag-of-patches evaluation (BagSSL): an image is the mean embedding of m fixed-scale patches."""
from typing import Optional, Tuple

import torch
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.registry import MODELS

from ..utils import PATCH_MODES, check_patch_side, patch_boxes, patch_embeddings


@MODELS.register_module()
class BagOfPatchesClassifier(ImageClassifier):
    """:class:`ImageClassifier` whose features are the average of m patch embeddings.

    ``extract_feat``: the normalised (B, 3, H, W) batch (channels already in
    the model's order: the crop happens after the data preprocessor, so no
    5-D input ever reaches it) -> m boxes of ``patch_size`` px on a grid or
    at seeded random positions (the same boxes for every image and batch) ->
    one RoIAlign crop-resize to ``input_size`` -> backbone -> GAP of the last
    map -> mean over the m patches: (B, C). Neck and head follow as in
    :class:`ImageClassifier` (e.g. ``ClsBatchNormNeck`` + ``LinearClsHead``).
    Any backbone of the registry works (Mobile-Former, ResNet, ViT with
    ``out_type='featmap'``).

    Args:
        backbone, neck, head, pretrained, train_cfg, data_preprocessor, init_cfg:
            as :class:`ImageClassifier`.
        patch_size (int): Patch side in pixels of the network input. Defaults to 64.
        num_patches (int): m. Defaults to 16.
        mode (str): ``'grid'`` or ``'random'``. Defaults to ``'grid'``.
        input_size (int, optional): Side the patches are resized to before the
            backbone. Defaults to ``patch_size`` (no resizing).
        feature_stride (int, optional): Output stride of the backbone; patches
            smaller than it are refused. Defaults to 32; None skips the check.
        seed (int): Seed of the ``'random'`` positions. Defaults to 0.
    """

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 patch_size: int = 64,
                 num_patches: int = 16,
                 mode: str = 'grid',
                 input_size: Optional[int] = None,
                 feature_stride: Optional[int] = 32,
                 seed: int = 0,
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         train_cfg=train_cfg, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if num_patches < 1:
            raise ValueError(f'BagOfPatchesClassifier: num_patches={num_patches}; a bag needs '
                             f'at least one patch (e.g. num_patches=16)')
        if mode not in PATCH_MODES:
            raise ValueError(f'BagOfPatchesClassifier: mode={mode!r}; choose one of '
                             f'{PATCH_MODES}')
        self.patch_size, self.num_patches, self.mode, self.seed = (patch_size, num_patches,
                                                                   mode, seed)
        self.input_size = input_size or patch_size
        if feature_stride:
            check_patch_side(self.input_size, self.input_size, feature_stride,
                             type(self).__name__)

    def boxes(self, image_size: Tuple[int, int]) -> torch.Tensor:
        """The (m, 4) patch boxes for images of ``image_size`` (seeded: same every call)."""
        return patch_boxes(image_size, self.patch_size, self.num_patches, self.mode,
                           torch.Generator().manual_seed(self.seed))

    def bag_features(self, inputs: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) normalised images -> (B, C) mean patch embeddings."""
        if inputs.dim() != 4:
            raise ValueError(f'BagOfPatchesClassifier expects (B, C, H, W) images, got '
                             f'{tuple(inputs.shape)}')
        return patch_embeddings(self.backbone, inputs, self.boxes(tuple(inputs.shape[-2:])),
                                self.input_size, type(self).__name__).mean(dim=1)

    def extract_feat(self, inputs: torch.Tensor, stage: str = 'neck'):
        if stage not in ('backbone', 'neck', 'pre_logits'):
            raise ValueError(f'Invalid output stage {stage!r}; choose "backbone", "neck" or '
                             f'"pre_logits"')
        x = (self.bag_features(inputs), )
        if stage == 'backbone':
            return x
        if self.with_neck:
            x = self.neck(x)
        if stage == 'neck':
            return x
        return self.head.pre_logits(x)

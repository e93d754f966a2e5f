"""mmpretrain's ConvNeXt whose ``frozen_stages`` also freeze the output norms of those stages."""
from mmpretrain.models.backbones import ConvNeXt
from mmpretrain.registry import MODELS


@MODELS.register_module()
class FrozenStagesConvNeXt(ConvNeXt):
    """ConvNeXt (same arguments, same state-dict keys) for frozen-backbone transfer.

    mmpretrain's ``frozen_stages`` freezes the downsampling layers and stages but not the
    per-level output LayerNorms ``norm{i}`` of ``out_indices``, so a "frozen" ConvNeXt
    detector still back-propagates through the whole backbone and keeps optimiser state for
    those norms (their lr can be set to 0, the cost stays). Here the norms of the frozen
    stages get ``requires_grad=False`` and eval mode too: with ``frozen_stages=4`` no
    gradient reaches the backbone and autograd stops at its output.

    Shape:
        as ConvNeXt: (B, 3, H, W) -> tuple of (B, C_i, H / 2^(i+2), W / 2^(i+2)).
    """

    def _freeze_stages(self) -> None:
        super()._freeze_stages()
        for i in range(self.frozen_stages):
            norm = getattr(self, f'norm{i}', None)
            if norm is not None:
                norm.eval()
                for param in norm.parameters():
                    param.requires_grad = False

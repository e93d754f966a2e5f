"""GTSA's two dense losses: the rotated RoI crop loss and the patch-correspondence loss."""
from typing import List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torchvision.ops import roi_align


def rotate_maps(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Rotate every (C, h, w) map of x (B, C, h, w) counter-clockwise by its own k[b]
    quarter turns (``torch.rot90`` on dims (-2, -1), like ``np.rot90`` on the image)."""
    out = x.clone()
    k = k % 4
    for turns in range(1, 4):
        idx = (k == turns).nonzero(as_tuple=True)[0]
        if idx.numel():
            out[idx] = torch.rot90(x[idx], turns, dims=(-2, -1))
    return out


@MODELS.register_module()
class GTSAHead(BaseModule):
    """Loss terms between one student predictor map and one teacher projector map.

    Crop loss: the region both crops share (box ``teacher_box`` in the teacher crop's frame,
    ``student_box`` in the student crop's) is RoI-aligned from both maps into o x o cells;
    the teacher cells are rotated by (k_student - k_teacher) quarter turns, into the
    student's orientation; L_crop = mean over images and cells of -cos over channels.

    Correspondence loss: cosine similarity between every student and teacher position; each
    student position takes its best teacher match and the ``k`` best-matched student
    positions are kept (and the same teacher -> student); L_pc = 1/2 (L_s->t + L_t->s), each
    the mean -cos of the kept pairs.

    Sizes follow the student map: a map with more than ``large_positions`` positions (a
    global crop) uses ``roi_sizes[0]`` and ``topk[0]``, a smaller one ``roi_sizes[1]`` and
    ``topk[1]``. Official ViT-S/16 (14 x 14 and 6 x 6 maps): 100, (10, 4), (98, 18), i.e.
    half of the student positions.

    Args:
        feature_stride (int): Pixels per map cell, to scale the boxes. Defaults to 16.
        roi_sizes (tuple[int, int]): o for (large, small) student maps. Defaults to (10, 4).
        topk (tuple[int, int]): k for (large, small) student maps. Defaults to (98, 18).
        large_positions (int): Positions above which a student map is large. Defaults to 100.
        sampling_ratio (int): RoIAlign samples per cell side (-1: adaptive). Defaults to -1.
        init_cfg (dict, optional): Unused (no parameters).
    """

    def __init__(self,
                 feature_stride: int = 16,
                 roi_sizes: Sequence[int] = (10, 4),
                 topk: Sequence[int] = (98, 18),
                 large_positions: int = 100,
                 sampling_ratio: int = -1,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.feature_stride = feature_stride
        self.roi_sizes, self.topk = tuple(roi_sizes), tuple(topk)
        self.large_positions = large_positions
        self.sampling_ratio = sampling_ratio

    def size_class(self, student: torch.Tensor) -> int:
        """0 for a large (global-crop) student map, 1 for a small one."""
        return 0 if student.shape[-2] * student.shape[-1] > self.large_positions else 1

    def pool(self, x: torch.Tensor, boxes: torch.Tensor, size: int) -> torch.Tensor:
        """x (B, C, h, w), boxes (B, 4) in input pixels -> (B, C, size, size)."""
        rois = torch.cat([torch.arange(len(boxes), device=x.device,
                                       dtype=boxes.dtype)[:, None], boxes], dim=1)
        return roi_align(x, rois.to(x.dtype), size, spatial_scale=1. / self.feature_stride,
                         sampling_ratio=self.sampling_ratio, aligned=True)

    def crop_loss(self, student: torch.Tensor, teacher: torch.Tensor,
                  student_box: torch.Tensor, teacher_box: torch.Tensor,
                  rotation: torch.Tensor) -> torch.Tensor:
        """Rotated RoI crop loss.

        Args:
            student (Tensor): (B, C, h_s, w_s) student predictor map.
            teacher (Tensor): (B, C, h_t, w_t) teacher projector map (no gradient needed).
            student_box (Tensor): (B, 4) shared region in the student crop's pixel frame.
            teacher_box (Tensor): (B, 4) the same region in the teacher crop's frame.
            rotation (Tensor): (B, ) k_student - k_teacher (quarter turns, any integer).

        Returns:
            Tensor: scalar in [-1, 1].
        """
        size = self.roi_sizes[self.size_class(student)]
        s = self.pool(student, student_box, size)
        t = rotate_maps(self.pool(teacher, teacher_box, size), rotation)
        return -F.cosine_similarity(s, t, dim=1).mean()

    def correspondence_loss(self, student: torch.Tensor,
                            teacher: torch.Tensor) -> torch.Tensor:
        """Top-k nearest-neighbour patch matching, both ways.

        Args:
            student (Tensor): (B, C, h_s, w_s).
            teacher (Tensor): (B, C, h_t, w_t).

        Returns:
            Tensor: scalar in [-1, 1].
        """
        k = self.topk[self.size_class(student)]
        s = F.normalize(student.flatten(2), dim=1)  # (B, C, N_s)
        t = F.normalize(teacher.flatten(2), dim=1)  # (B, C, N_t)
        sim = torch.einsum('bcs,bct->bst', s, t)
        s2t = sim.max(dim=2).values.topk(min(k, sim.shape[1]), dim=1).values
        t2s = sim.max(dim=1).values.topk(min(k, sim.shape[2]), dim=1).values
        return -0.5 * (s2t.mean() + t2s.mean())

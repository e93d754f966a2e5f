"""GTSA's multi-crop: overlapping global and local crops, each rotated by a multiple of 90
degrees, with the intersection boxes that let the loss align teacher and student maps."""
import math
from typing import List, Optional, Sequence, Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform, Compose
from mmpretrain.registry import TRANSFORMS

Box = Tuple[float, float, float, float]


def rotate_box(box: np.ndarray, k: int, side: float) -> np.ndarray:
    """Boxes (..., 4) as (x1, y1, x2, y2) in a ``side`` x ``side`` frame, after the frame is
    rotated counter-clockwise by ``k`` x 90 degrees (``np.rot90(img, k)`` on an HWC image,
    ``torch.rot90(x, k, (-2, -1))`` on a map).

    A point (x, y) goes to (y, S - x) per quarter turn, so
    90: (y1, S-x2, y2, S-x1); 180: (S-x2, S-y2, S-x1, S-y1); 270: (S-y2, x1, S-y1, x2).
    """
    box = np.asarray(box, dtype=np.float64)
    for _ in range(k % 4):
        x1, y1, x2, y2 = np.moveaxis(box, -1, 0)
        box = np.stack([y1, side - x2, y2, side - x1], axis=-1)
    return box


def intersect(a: Box, b: Box) -> Optional[Box]:
    """Intersection of two (x1, y1, x2, y2) boxes, or None when it is empty."""
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    return (x1, y1, x2, y2) if x2 > x1 and y2 > y1 else None


def _area(box: Optional[Box]) -> float:
    return 0. if box is None else (box[2] - box[0]) * (box[3] - box[1])


@TRANSFORMS.register_module()
class GTSAMultiCrop(BaseTransform):
    """``num_global`` + ``num_local`` square crops of one image for GTSA (Lee et al., arXiv
    2304.08014; the official ``bok3948/GTSA`` transform).

    Each crop is a random-resized crop of the image (area fraction in ``global_scale`` or
    ``local_scale``, aspect ratio log-uniform in ``ratio``). A crop is re-drawn until its
    intersection with every earlier global crop covers more than ``min_overlap`` of the
    image area (``min_global_overlap`` between global crops), so every crop shares a region
    with every global crop. After ``max_attempts`` draws the crop of largest smallest overlap
    is kept; if even that misses a global crop, a global crop's box is reused (so the loss
    always has a non-empty region; counted in ``gtsa_fallbacks``). Every crop then gets its
    own colour pipeline (``global_transforms`` / ``local_transforms``, any mmpretrain
    transforms on ``img``) and a counter-clockwise rotation by k x 90 degrees, k uniform in
    0..3 (``rotate=False``: k = 0).

    Packed results (name them in ``PackInputs(algorithm_keys=[...])``), with n = number of
    crops, globals first:

    - ``img``: list of n HWC crops (the globals ``global_size`` px, the locals
      ``local_size`` px).
    - ``gtsa_gc_boxes`` (n_g, n, 4) float32: the intersection of global crop g and crop v in
      g's pixel frame (scaled to ``global_size`` and rotated by g's rotation).
    - ``gtsa_all_boxes`` (n, n_g, 4) float32: the same region in v's frame (scaled to v's
      size, rotated by v's rotation).
    - ``gtsa_rot`` (n, ) int64: k of every crop.

    Args:
        num_global (int): Global crops (the teacher's inputs). Defaults to 2.
        num_local (int): Local crops. Defaults to 8.
        global_size (int): Global crop side. Defaults to 224.
        local_size (int): Local crop side. Defaults to 96.
        global_scale (tuple): Area fraction range of global crops. Defaults to (0.3, 1.0).
        local_scale (tuple): Area fraction range of local crops. Defaults to (0.1, 0.3).
        ratio (tuple): Aspect-ratio range. Defaults to (3/4, 4/3).
        min_overlap (float): Smallest intersection with every earlier global crop, as a
            fraction of the image area. Defaults to 0.01.
        min_global_overlap (float): The same between global crops. Defaults to 0.02.
        max_attempts (int): Draws per crop before the fallback. Defaults to 100.
        rotate (bool): Random 90-degree rotations. Defaults to True.
        global_transforms (list[dict], optional): Colour pipeline of each global crop.
        local_transforms (list[dict], optional): Colour pipeline of each local crop
            (defaults to ``global_transforms``).
        interpolation (str): Resize interpolation. Defaults to ``'bilinear'``, the
            official crops' (torchvision ``RandomResizedCrop``'s default); with the
            ``'pillow'`` backend the crops equal torchvision's ``resized_crop`` pixel for pixel.
        backend (str): ``'cv2'`` or ``'pillow'``. Defaults to ``'pillow'``.
    """

    def __init__(self,
                 num_global: int = 2,
                 num_local: int = 8,
                 global_size: int = 224,
                 local_size: int = 96,
                 global_scale: Sequence[float] = (0.3, 1.0),
                 local_scale: Sequence[float] = (0.1, 0.3),
                 ratio: Sequence[float] = (3. / 4., 4. / 3.),
                 min_overlap: float = 0.01,
                 min_global_overlap: float = 0.02,
                 max_attempts: int = 100,
                 rotate: bool = True,
                 global_transforms: Optional[List[dict]] = None,
                 local_transforms: Optional[List[dict]] = None,
                 interpolation: str = 'bilinear',
                 backend: str = 'pillow') -> None:
        if num_global < 1 or num_local < 0:
            raise ValueError(f'GTSAMultiCrop: need num_global >= 1 and num_local >= 0, got '
                             f'{num_global} and {num_local}')
        for name, scale in (('global_scale', global_scale), ('local_scale', local_scale)):
            if not 0 < scale[0] <= scale[1] <= 1:
                raise ValueError(f'GTSAMultiCrop: {name}={tuple(scale)} must satisfy '
                                 f'0 < low <= high <= 1 (fractions of the image area)')
        self.num_global, self.num_local = num_global, num_local
        self.sizes = [global_size] * num_global + [local_size] * num_local
        self.scales = [tuple(global_scale)] * num_global + [tuple(local_scale)] * num_local
        self.ratio = tuple(ratio)
        self.min_overlap, self.min_global_overlap = min_overlap, min_global_overlap
        self.max_attempts, self.rotate = max_attempts, rotate
        local_transforms = global_transforms if local_transforms is None else local_transforms
        self.global_pipeline = Compose(global_transforms or [])
        self.local_pipeline = Compose(local_transforms or [])
        self.interpolation, self.backend = interpolation, backend

    def random_box(self, height: int, width: int, scale: Tuple[float, float]) -> Box:
        """One random-resized-crop box (x1, y1, x2, y2) in pixels (torchvision's rule:
        10 tries, then a centre crop of the clamped ratio)."""
        area = height * width
        log_ratio = np.log(self.ratio)
        for _ in range(10):
            target = area * np.random.uniform(*scale)
            aspect = np.exp(np.random.uniform(*log_ratio))
            w = int(round(np.sqrt(target * aspect)))
            h = int(round(np.sqrt(target / aspect)))
            if 0 < w <= width and 0 < h <= height:
                x = np.random.randint(0, width - w + 1)
                y = np.random.randint(0, height - h + 1)
                return (x, y, x + w, y + h)
        aspect = width / height
        if aspect < min(self.ratio):
            w, h = width, int(round(width / min(self.ratio)))
        elif aspect > max(self.ratio):
            w, h = int(round(height * max(self.ratio))), height
        else:
            w, h = width, height
        x, y = (width - w) // 2, (height - h) // 2
        return (x, y, x + w, y + h)

    def overlap_thresholds(self, area: float) -> Tuple[float, float]:
        """Intersections (pixels) a global / local crop must exceed, in whole pixels as the
        official code: local int(min_overlap * area); global the floored local threshold
        times min_global_overlap / min_overlap (official 0.02 / 0.01: 2 * int(0.01 * area))."""
        local = math.floor(self.min_overlap * area)
        if self.min_overlap > 0:
            return local * round(self.min_global_overlap / self.min_overlap, 6), local
        return math.floor(self.min_global_overlap * area), local

    def sample_boxes(self, height: int, width: int) -> Tuple[List[Box], int]:
        """Boxes of all crops with the overlap re-sampling rule; returns (boxes, fallbacks)."""
        boxes: List[Box] = []
        fallbacks = 0
        area = float(height * width)
        need_global, need_local = self.overlap_thresholds(area)
        for i, scale in enumerate(self.scales):
            need = need_global if i < self.num_global else need_local
            earlier = boxes[:min(i, self.num_global)]
            best, best_overlap = None, -1.
            for _ in range(self.max_attempts):
                box = self.random_box(height, width, scale)
                overlap = min((_area(intersect(box, g)) for g in earlier), default=area)
                if overlap > need:
                    best = box
                    break
                if overlap > best_overlap:
                    best, best_overlap = box, overlap
            if earlier and min(_area(intersect(best, g)) for g in earlier) == 0:
                best = earlier[0]
                fallbacks += 1
            boxes.append(best)
        return boxes, fallbacks

    def sample_rotations(self, n: int) -> np.ndarray:
        """Quarter turns k in 0..3 of the n crops (all 0 when ``rotate=False``)."""
        if not self.rotate:
            return np.zeros(n, dtype=np.int64)
        return np.random.randint(0, 4, size=n).astype(np.int64)

    def box_in_crop(self, region: Box, crop: Box, side: int, k: int) -> np.ndarray:
        """``region`` (image pixels) in the frame of ``crop`` resized to ``side`` and rotated
        by k quarter turns."""
        sx = side / (crop[2] - crop[0])
        sy = side / (crop[3] - crop[1])
        local = np.array([(region[0] - crop[0]) * sx, (region[1] - crop[1]) * sy,
                          (region[2] - crop[0]) * sx, (region[3] - crop[1]) * sy])
        return rotate_box(np.clip(local, 0, side), k, side)

    def transform(self, results: dict) -> dict:
        img = results['img']
        height, width = img.shape[:2]
        boxes, fallbacks = self.sample_boxes(height, width)
        n, n_g = len(boxes), self.num_global
        rots = self.sample_rotations(n)
        crops = []
        for i, (box, side) in enumerate(zip(boxes, self.sizes)):
            x1, y1, x2, y2 = box
            crop = mmcv.imresize(img[y1:y2, x1:x2], (side, side),
                                 interpolation=self.interpolation, backend=self.backend)
            pipeline = self.global_pipeline if i < n_g else self.local_pipeline
            crop = pipeline(dict(img=crop))['img']
            crops.append(np.ascontiguousarray(np.rot90(crop, int(rots[i]))))
        gc_boxes = np.zeros((n_g, n, 4), dtype=np.float32)
        all_boxes = np.zeros((n, n_g, 4), dtype=np.float32)
        for g in range(n_g):
            for v in range(n):
                region = intersect(boxes[g], boxes[v]) or boxes[g]
                gc_boxes[g, v] = self.box_in_crop(region, boxes[g], self.sizes[g], rots[g])
                all_boxes[v, g] = self.box_in_crop(region, boxes[v], self.sizes[v], rots[v])
        results.update(img=crops, img_shape=[c.shape[:2] for c in crops],
                       gtsa_gc_boxes=gc_boxes, gtsa_all_boxes=all_boxes, gtsa_rot=rots,
                       gtsa_crop_boxes=np.asarray(boxes, dtype=np.float32),
                       gtsa_fallbacks=fallbacks)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_global={self.num_global}, '
                f'num_local={self.num_local}, sizes=({self.sizes[0]}, {self.sizes[-1]}), '
                f'rotate={self.rotate})')

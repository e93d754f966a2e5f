"""QB-Heat's heat-extrapolation neck: the first-order split of the steady-state heat equation.

The encoder sees only the top-left quarter of the image and produces z(x, y),
a (B, C, h, w) map. The steady-state (Laplace) equation in feature space,
split into two first-order linear equations

    dz/dx = A z,        dz/dy = B z,

and discretised with forward Euler,

    z(x + dx, y) = (I + dx A) z(x, y),        z(x, y + dy) = (I + dy B) z(x, y),

predicts the features of the three masked quarters linearly. A (horizontal)
and B (vertical) are C x C matrices shared by every position and image,
initialised to zero so that both steps start as the identity.

Which variant follows which paper (the QB-Heat paper's method text is not
available, so the defaults are reasoned choices; see configs/qbheat/README.md):

- ``mode='block'``: one step of the block size, I + wA and I + hB: the QB-Heat
  abstract's z(x + dx) = (I + dx A) z with dx = the quarter's width.
- ``mode='recurrent'``: unit steps marched cell by cell from the block's boundary
  (the same equation with dx = 1).
- ``mode='quadrant'``: w (h) repeated unit steps of the whole visible block, one
  reading of block-wise masked FINOLA (arXiv 2305.16319).
- ``step_norm='finola'`` (any mode): each step is z + dA z_hat with z_hat the
  feature standardised over its C channels, FINOLA's dz/dx = A z_hat.

Unknown from the papers: the step size, the order of the diagonal step, whether
the normalisation has affine parameters (FINOLA: none) and the exact cell
schedule of block-wise masked FINOLA; all are options here.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import nn

from ..utils.matrix_estimates import commutator_norm_estimate, krylov_spectral_radius


@MODELS.register_module()
class HeatExtrapolationNeck(BaseModule):
    """Extrapolate the visible quarter's features to the full map.

    Modes:

    - ``'block'`` (default): each masked quarter is predicted whole, in one
      step of the block size: top-right = P_x z, bottom half = P_y [z, P_x z]
      with P_x = I + dx A, P_y = I + dy B and dx = w, dy = h cells.
    - ``'recurrent'``: march cell by cell from the visible block's boundary:
      the k-th column right of the block is (I + A)^k applied to its last
      column, then the k-th row below the top half is (I + B)^k applied to
      its last row (dx = dy = 1).
    - ``'quadrant'``: the whole visible block is advanced by one quadrant:
      every visible cell predicts the cell w columns to its right by w
      repeated unit steps, top-right = (I + A)^w z, bottom-left = (I + B)^h z,
      bottom-right = (I + B)^h (I + A)^w z (dx = dy = 1, or ``step_size``
      with w / step_size repetitions).

    Args:
        in_channels (int): Channels C of the encoder map.
        mode (str): ``'block'`` or ``'recurrent'``.
        operator (str): ``'euler'`` (I + dA, the paper's finite difference)
            or ``'matrix_exp'`` (exp(dA), the exact solution).
        step_size (float, optional): Overrides dx = dy (cells per step).
            Defaults to the block size in ``'block'`` mode and 1 otherwise.
        diag_order (str): Bottom-right quarter as ``'x_then_y'``
            (P_y P_x z) or ``'average'`` of both orders.
        step_norm (str): ``'none'``: each step is P z; ``'finola'``: each step
            is z + (P - I) z_hat, with z_hat the feature standardised over its
            C channels at each position, no affine parameters (FINOLA's
            dz/dx = A z_hat; with ``'euler'`` this is z + dx A z_hat). Selectable
            with every mode; non-linear in z.
        pre_norm (bool): Legacy variant: an affine LayerNorm over channels
            before every linear step, P LN(z) (off in QB-Heat v1).
        log_diagnostics (bool): Report ||AB - BA||_F and the spectral radius
            of both step operators from :meth:`diagnostics`.
        diagnostics_interval (int): Compute them only on the training
            iterations that the logger prints (``(iter + 1) % interval == 0``,
            the runner's iteration from mmengine's ``MessageHub``); set it to the
            ``LoggerHook`` interval. In between, no eigen-decomposition runs and
            nothing waits for the device. Outside a runner (no iteration known)
            they are computed on every call. Defaults to 10.
        diagnostics_exact (bool, optional): True: exact eigenvalues and commutator
            (two C x C eigen-decompositions and two C x C products, seconds at C = 2048
            on a CPU); False: estimates from a few dozen matrix-vector products (Arnoldi for
            the spectral radii, within ~1 % of the exact value; Hutchinson for
            ||AB - BA||_F, see ``models/utils/matrix_estimates.py``). None (default):
            exact up to C = 512, estimates above.
        init_cfg (dict, optional): Initialisation config; A and B stay zero
            unless a checkpoint is loaded.

    Shape:
        - input: (B, C, h, w) features of the visible top-left quarter
        - output: (B, C, 2h, 2w) full feature map, the input in the top-left
    """

    EXACT_UP_TO = 512     # channels up to which diagnostics_exact=None computes exact values
    modes = ('block', 'recurrent', 'quadrant')
    operators = ('euler', 'matrix_exp')
    diag_orders = ('x_then_y', 'average')
    step_norms = ('none', 'finola')

    def __init__(self,
                 in_channels: int,
                 mode: str = 'block',
                 operator: str = 'euler',
                 step_size: Optional[float] = None,
                 diag_order: str = 'x_then_y',
                 step_norm: str = 'none',
                 pre_norm: bool = False,
                 log_diagnostics: bool = True,
                 diagnostics_interval: int = 10,
                 diagnostics_exact: Optional[bool] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value, choices in (('mode', mode, self.modes),
                                     ('operator', operator, self.operators),
                                     ('diag_order', diag_order, self.diag_orders),
                                     ('step_norm', step_norm, self.step_norms)):
            if value not in choices:
                raise ValueError(f'HeatExtrapolationNeck: {name}={value!r} is not supported; '
                                 f'choose one of {choices}')
        self.in_channels = in_channels
        self.mode = mode
        self.operator = operator
        self.step_size = step_size
        self.diag_order = diag_order
        self.step_norm = step_norm
        if step_norm == 'finola' and pre_norm:
            raise ValueError("HeatExtrapolationNeck: step_norm='finola' already normalises "
                             'each step; set pre_norm=False')
        self.log_diagnostics = log_diagnostics
        if diagnostics_interval < 1:
            raise ValueError(f'HeatExtrapolationNeck: diagnostics_interval='
                             f'{diagnostics_interval} must be >= 1')
        self.diagnostics_interval = diagnostics_interval
        self.diagnostics_exact = diagnostics_exact
        # A (horizontal) and B (vertical); zero so that I + dA = I + dB = I at the start.
        self.A = nn.Parameter(torch.zeros(in_channels, in_channels))
        self.B = nn.Parameter(torch.zeros(in_channels, in_channels))
        self.norm = nn.LayerNorm(in_channels) if pre_norm else None

    def init_weights(self) -> None:
        """Keep A = B = 0 (identity steps) whatever generic init is configured."""
        if self.init_cfg is not None and self.init_cfg.get('type') == 'Pretrained':
            super().init_weights()

    def steps(self, h: int, w: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """The step operators (P_x, P_y), each (C, C), for a visible block of h x w cells."""
        if self.step_size is not None:
            dx = dy = float(self.step_size)
        elif self.mode == 'block':
            dx, dy = float(w), float(h)
        else:
            dx = dy = 1.0
        if self.operator == 'matrix_exp':
            return torch.linalg.matrix_exp(dx * self.A), torch.linalg.matrix_exp(dy * self.B)
        eye = torch.eye(self.in_channels, device=self.A.device, dtype=self.A.dtype)
        return eye + dx * self.A, eye + dy * self.B

    @staticmethod
    def standardise(z: torch.Tensor, dim: int = 1, eps: float = 1e-6) -> torch.Tensor:
        """z_hat: every position's feature standardised over its channels (dimension
        ``dim``) to zero mean and unit variance, without affine parameters."""
        return F.layer_norm(z.movedim(dim, -1), (z.shape[dim], ), eps=eps).movedim(-1, dim)

    def _linear_step(self, op: torch.Tensor, z: torch.Tensor, dim: int) -> torch.Tensor:
        """One step of the (C, C) operator P along the channel dimension ``dim`` of ``z``:
        P z, or z + (P - I) z_hat with ``step_norm='finola'``."""
        if self.step_norm == 'finola':
            eye = torch.eye(op.shape[0], device=op.device, dtype=op.dtype)
            delta = torch.tensordot(op - eye, self.standardise(z, dim), dims=([1], [dim]))
            return z + delta.movedim(0, dim)
        if self.norm is not None:
            z = self.norm(z.movedim(dim, -1)).movedim(-1, dim)
        return torch.tensordot(op, z, dims=([1], [dim])).movedim(0, dim)

    def _repeat(self, op: torch.Tensor, z: torch.Tensor, times: int) -> torch.Tensor:
        """``times`` unit steps of ``op`` applied to the whole (B, C, h, w) block."""
        for _ in range(times):
            z = self._linear_step(op, z, 1)
        return z

    def _march(self, op: torch.Tensor, boundary: torch.Tensor, steps: int) -> torch.Tensor:
        """(I + A)^k boundary for k = 1..steps, stacked on a new last dim.

        boundary: (B, C, L) -> (B, C, L, steps)
        """
        out: List[torch.Tensor] = []
        cur = boundary
        for _ in range(steps):
            cur = self._linear_step(op, cur, 1)
            out.append(cur)
        return torch.stack(out, dim=-1)

    def forward(self, inputs) -> torch.Tensor:
        z = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        if z.dim() != 4 or z.size(1) != self.in_channels:
            raise ValueError(f'HeatExtrapolationNeck expects (B, {self.in_channels}, h, w) '
                             f'features of the visible quarter, got {tuple(z.shape)}')
        h, w = z.shape[-2:]
        px, py = self.steps(h, w)
        if self.mode == 'quadrant':
            unit = 1. if self.step_size is None else float(self.step_size)
            nx, ny = max(1, round(w / unit)), max(1, round(h / unit))
            right = self._repeat(px, z, nx)
            below = self._repeat(py, z, ny)
            corner = self._repeat(py, right, ny)
            if self.diag_order == 'average':
                corner = 0.5 * (corner + self._repeat(px, below, nx))
        elif self.mode == 'block':
            right = self._linear_step(px, z, 1)
            below = self._linear_step(py, z, 1)
            corner = self._linear_step(py, right, 1)
            if self.diag_order == 'average':
                corner = 0.5 * (corner + self._linear_step(px, below, 1))
        else:
            right = self._march(px, z[..., -1], w)  # (B, C, h, w): columns right of the block
            below = self._march(py, z[..., -1, :], h).transpose(-1, -2)  # (B, C, h, w)
            corner = self._march(py, right[..., -1, :], h).transpose(-1, -2)
            if self.diag_order == 'average':
                corner = 0.5 * (corner + self._march(px, below[..., -1], w))
        top = torch.cat((z, right), dim=-1)
        bottom = torch.cat((below, corner), dim=-1)
        return torch.cat((top, bottom), dim=-2)

    def diagnostics_due(self) -> bool:
        """Whether this call's iteration is one the logger prints (see ``diagnostics_interval``)."""
        if not self.log_diagnostics:
            return False
        it = MessageHub.get_current_instance().get_info('iter')
        return it is None or (int(it) + 1) % self.diagnostics_interval == 0

    @torch.no_grad()
    def diagnostics(self, h: int = 1, w: int = 1) -> Dict[str, torch.Tensor]:
        """||AB - BA||_F and the spectral radii of P_x and P_y (detached scalars), on the
        logged iterations only (an empty dict on the others)."""
        if not self.diagnostics_due():
            return {}
        px, py = self.steps(h, w)
        exact = self.diagnostics_exact
        if exact is None:
            exact = self.in_channels <= self.EXACT_UP_TO
        if exact:
            comm = torch.linalg.matrix_norm(self.A @ self.B - self.B @ self.A)
            rho_x = torch.linalg.eigvals(px.float()).abs().max()
            rho_y = torch.linalg.eigvals(py.float()).abs().max()
        else:
            comm = commutator_norm_estimate(self.A, self.B)
            rho_x = krylov_spectral_radius(px).float()
            rho_y = krylov_spectral_radius(py).float()
        return dict(heat_commutator=comm, heat_rho_x=rho_x, heat_rho_y=rho_y)

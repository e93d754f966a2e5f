"""The momentum (EMA) target of LEWEL and GTSA, valid after the model is moved."""
from typing import Dict

import torch
from mmpretrain.models.utils import CosineEMA
from torch import nn


class TargetEMA(CosineEMA):
    """mmpretrain's :class:`CosineEMA` that reads its own and the online state afresh at
    every update.

    mmengine's averaged model stores ``self.module.state_dict()`` once, at
    construction, when ``update_buffers=True``. ``model.to(device)`` /
    ``model.double()`` (the runner moves the model after building it) give
    every parameter and buffer new storage, so from then on each update writes
    into the stale construction-time tensors and the real target never changes
    (an EMAN target frozen at its initialisation). Here the averaged tensors are
    looked up at every update, as the official LEWEL code does
    (``self.target_net.state_dict()`` in ``momentum_update``).

    Update rule (``m_t`` the cosine momentum of :class:`CosineEMA`, ``t`` the
    update count, ``T`` = ``max_iters``)::

        t = 0:  target <- online                       (a copy)
        t > 0:  target <- (1 - m_t) target + m_t online,
                m_t = m_end - (m_end - m_0) (cos(pi t / T) + 1) / 2

    With ``update_buffers=True`` (EMAN) floating-point buffers (BN running
    statistics) are averaged like the weights and integer buffers
    (``num_batches_tracked``) are copied, as the official EMAN code does; with
    ``update_buffers=False`` every buffer is copied from the online network.
    """

    def averaged_state(self) -> Dict[str, torch.Tensor]:
        """The target's current tensors: parameters, and buffers when they are averaged."""
        if self.update_buffers:
            return self.module.state_dict()
        return dict(self.module.named_parameters())

    def update_parameters(self, model: nn.Module) -> None:
        """One EMA step of the target towards ``model`` (the online network)."""
        self.avg_parameters = self.averaged_state()
        steps = int(self.steps)
        super().update_parameters(model)
        if self.update_buffers and steps > 0 and steps % self.interval == 0:
            online = model.state_dict()
            for name, avg in self.avg_parameters.items():
                if not avg.dtype.is_floating_point:
                    avg.copy_(online[name])

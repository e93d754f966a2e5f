"""Mobile-Former backbone (Chen et al., CVPR 2022, arXiv 2108.05895)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.utils.checkpoint as cp
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ...checkpoint import load_exact
from ..utils.mobile_former_block import LiteBottleneck, MobileFormerBlock

# A block is (type, hidden, out, stride, hidden2): 'lite' = conv-only bneck-lite (block 0),
# 'mf' = Mobile-Former block, 'down' = downsampling Mobile-Former block (two expansions).
_MF_LARGE_STRIDES = (1, 2, 1, 2, 1, 2, 1, 1, 1, 2, 1, 1)


def _blocks(types: str, strides: Sequence[int], rows: Sequence[Tuple[int, ...]]) -> List[tuple]:
    kinds = {'L': 'lite', 'M': 'mf', 'D': 'down'}
    return [(kinds[t], row[0], row[-1], s, row[1] if len(row) == 3 else 0)
            for t, s, row in zip(types, strides, rows)]


@MODELS.register_module()
class MobileFormer(BaseModule):
    """Mobile-Former: a MobileNet-style conv stream and a transformer over a few
    global tokens, coupled in every block by two light cross-attention bridges.

    Parameter-exact to the authors' released models (with
    :class:`MobileFormerClsHead` and 1000 classes: 508m 13,976,976 ...
    26m 3,232,788). Parameter names inside ``stem``, ``features`` and
    ``tokens`` are the released ones.

    Args:
        arch (str | dict): ``'508m' | '294m' | '214m' | '151m' | '96m' |
            '52m' | '26m'`` or a dict with keys ``stem_channels``,
            ``num_tokens``, ``token_dims``, ``blocks`` (list of
            ``(type, hidden, out, stride, hidden2)`` with type ``'lite'``,
            ``'mf'`` or ``'down'``), ``head_channels``, ``groups`` and
            ``dropout`` (the last two only read by the head).
        in_channels (int): Image channels. Defaults to 3.
        out_indices (Sequence[int]): Stages to return, 0..4 = output stride
            2, 4, 8, 16, 32 (the map at the end of that stage, after its last
            Former->Mobile). Defaults to (1, 2, 3, 4).
        return_tokens (bool): Append the final global tokens (B, M, d) to the
            outputs. Defaults to False.
        frozen_stages (int): -1 freezes nothing; k >= 0 freezes the stem and
            stages 0..k (parameters off, modules in eval mode); the global
            token table is frozen with stage 1, since its first bridge reads
            it. 4 freezes everything.
        norm_eval (bool): Keep every BatchNorm in eval mode during training.
        drop_path_rate (float): Maximum drop-path rate, growing linearly over
            the blocks (the authors' rule). Released models use 0.
        token_drop_mode (str): Drop path of the token updates: ``'token'``
            (default, the authors': one draw per token index, shared by the
            batch) or ``'sample'`` (one draw per image); the map updates drop
            per image either way (:class:`TokenDropPath`).
        qkv_proj (bool): Key/value projections in the Former (off in the
            released models).
        norm_cfg (dict): Norm layer of the conv stream. Defaults to BN.
        with_cp (bool): Gradient checkpointing per block.
        init_cfg (dict | list[dict], optional): Initialisation; defaults to
            the released scheme (He fan-out normal convs, N(0, 0.01) linears,
            tokens N(0, 1)).

    Shape:
        - input: (B, 3, H, W), any H and W (odd sizes give ceil at each
          stride-2 step)
        - output: tuple of (B, C_k, H / 2^(k+1), W / 2^(k+1)) for k in
          ``out_indices`` [+ (B, M, d) tokens]
    """

    arch_zoo: Dict[str, dict] = {
        '508m': dict(stem_channels=24, num_tokens=6, token_dims=192, head_channels=1920,
                     groups=1, dropout=0.3,
                     blocks=_blocks('LDMDMDMMMDMM', _MF_LARGE_STRIDES, [
                         (48, 24), (144, 160, 40), (120, 40), (240, 288, 72), (216, 72),
                         (432, 512, 128), (512, 128), (768, 176), (1056, 176),
                         (1056, 960, 240), (1440, 240), (1440, 240)])),
        '294m': dict(stem_channels=16, num_tokens=6, token_dims=192, head_channels=1920,
                     groups=1, dropout=0.3,
                     blocks=_blocks('LDMDMDMMMDMM', _MF_LARGE_STRIDES, [
                         (32, 16), (96, 96, 24), (96, 24), (144, 192, 48), (192, 48),
                         (288, 384, 96), (384, 96), (576, 128), (768, 128),
                         (768, 768, 192), (1152, 192), (1152, 192)])),
        '214m': dict(stem_channels=12, num_tokens=6, token_dims=192, head_channels=1600,
                     groups=1, dropout=0.2,
                     blocks=_blocks('LDMDMDMMMDMM', _MF_LARGE_STRIDES, [
                         (24, 12), (72, 80, 20), (60, 20), (120, 160, 40), (160, 40),
                         (240, 320, 80), (320, 80), (480, 112), (672, 112),
                         (672, 640, 160), (960, 160), (960, 160)])),
        '151m': dict(stem_channels=12, num_tokens=6, token_dims=192, head_channels=1280,
                     groups=1, dropout=0.2,
                     blocks=_blocks('LDMDMDMMMDMM', _MF_LARGE_STRIDES, [
                         (24, 12), (72, 64, 16), (48, 16), (96, 128, 32), (96, 32),
                         (192, 256, 64), (256, 64), (384, 88), (528, 88),
                         (528, 512, 128), (768, 128), (768, 128)])),
        '96m': dict(stem_channels=12, num_tokens=4, token_dims=128, head_channels=1280,
                    groups=1, dropout=0.2,
                    blocks=_blocks('LDDMDMMDM', (1, 2, 2, 1, 2, 1, 1, 2, 1), [
                        (24, 12), (72, 64, 16), (96, 128, 32), (96, 32), (192, 256, 64),
                        (256, 64), (384, 88), (528, 512, 128), (768, 128)])),
        '52m': dict(stem_channels=8, num_tokens=3, token_dims=128, head_channels=1024,
                    groups=1, dropout=0.2,
                    blocks=_blocks('LMDMDMMDM', (2, 1, 2, 1, 2, 1, 1, 2, 1), [
                        (24, 12), (36, 12), (72, 96, 24), (72, 24), (144, 192, 48),
                        (192, 48), (288, 64), (384, 384, 96), (576, 96)])),
    }
    arch_zoo['26m'] = dict(arch_zoo['52m'], groups=4, dropout=0.1)
    _arch_keys = {'stem_channels', 'num_tokens', 'token_dims', 'blocks', 'head_channels',
                  'groups', 'dropout'}
    num_stages = 5

    def __init__(self,
                 arch: Union[str, dict] = '294m',
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (1, 2, 3, 4),
                 return_tokens: bool = False,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 drop_path_rate: float = 0.,
                 token_drop_mode: str = 'token',
                 qkv_proj: bool = False,
                 norm_cfg: Optional[dict] = None,
                 with_cp: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='Kaiming', layer='Conv2d', mode='fan_out', nonlinearity='relu',
                     distribution='normal'),
                dict(type='Normal', layer='Linear', std=0.01, bias=0.),
                dict(type='Constant', layer=['_BatchNorm', 'LayerNorm'], val=1., bias=0.),
            ]
        super().__init__(init_cfg=init_cfg)
        self.arch_settings = self.get_arch(arch)
        self.arch_name = arch if isinstance(arch, str) else 'custom'
        s = self.arch_settings
        if isinstance(out_indices, int):
            out_indices = [out_indices]
        if not isinstance(out_indices, Sequence) or not all(
                isinstance(i, int) for i in out_indices):
            raise TypeError(f'MobileFormer: out_indices must be a sequence of ints, '
                            f'got {out_indices!r}')
        self.out_indices = sorted({self._check_index(i) for i in out_indices})
        if not self.out_indices and not return_tokens:
            raise ValueError('MobileFormer: out_indices is empty and return_tokens is False; '
                             'nothing would be returned')
        if not -1 <= frozen_stages < self.num_stages:
            raise ValueError(f'MobileFormer: frozen_stages must be in -1..{self.num_stages - 1} '
                             f'(-1 none, {self.num_stages - 1} all), got {frozen_stages}')
        self.in_channels = in_channels
        self.return_tokens = return_tokens
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_cp = with_cp
        norm_cfg = norm_cfg or dict(type='BN')

        self.tokens = nn.Embedding(s['num_tokens'], s['token_dims'])
        nn.init.normal_(self.tokens.weight)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, s['stem_channels'], 3, 2, 1, bias=False),
            build_norm_layer(norm_cfg, s['stem_channels'])[1],
            nn.ReLU6(inplace=True))

        blocks = s['blocks']
        features, channels = [], s['stem_channels']
        # stage of every block = log2(output stride) - 1; the stem has stride 2 (stage 0)
        stride, self.block_stages = 2, []
        for i, (kind, hidden, out, blk_stride, hidden2) in enumerate(blocks):
            rate = drop_path_rate * (i + 1) / len(blocks)
            if kind not in ('lite', 'mf', 'down'):
                raise ValueError(f'MobileFormer: unknown block type {kind!r} in arch; '
                                 "use 'lite', 'mf' or 'down'")
            cls = LiteBottleneck if kind == 'lite' else MobileFormerBlock
            extra = {} if kind == 'lite' else dict(token_drop_mode=token_drop_mode)
            features.append(cls(
                channels, hidden, out, stride=blk_stride, hidden_channels2=hidden2,
                token_dims=s['token_dims'], groups=s['groups'], drop_path_rate=rate,
                qkv_proj=qkv_proj, norm_cfg=norm_cfg, **extra))
            channels, stride = out, stride * blk_stride
            self.block_stages.append(stride.bit_length() - 2)
        if self.block_stages[-1] != self.num_stages - 1:
            raise ValueError('MobileFormer: the block list must reach output stride 32, '
                             f'got {2 ** (self.block_stages[-1] + 1)}')
        self.features = nn.ModuleList(features)
        # position of the last module of every stage: -1 = the stem, i = features[i]
        self.stage_ends = [max([-1] + [i for i, st in enumerate(self.block_stages) if st <= k])
                           for k in range(self.num_stages)]
        self.out_channels = [blocks[e][2] if e >= 0 else s['stem_channels']
                             for e in self.stage_ends]
        self._freeze_stages()

    @classmethod
    def get_arch(cls, arch: Union[str, dict]) -> dict:
        """Resolve ``arch`` (a name of :attr:`arch_zoo` or a dict) to its settings."""
        if isinstance(arch, str):
            key = arch.lower()
            if key not in cls.arch_zoo:
                raise ValueError(f'MobileFormer: unknown arch {arch!r}; choose one of '
                                 f'{sorted(cls.arch_zoo)} or pass a dict')
            return cls.arch_zoo[key]
        if not isinstance(arch, dict):
            raise TypeError(f'MobileFormer: arch must be a str or dict, got {type(arch)}')
        missing = {'stem_channels', 'num_tokens', 'token_dims', 'blocks'} - set(arch)
        if missing:
            raise ValueError(f'MobileFormer: arch dict lacks {sorted(missing)}; '
                             f'keys are {sorted(cls._arch_keys)}')
        return dict(dict(head_channels=1280, groups=1, dropout=0.2), **arch)

    def _check_index(self, index: int) -> int:
        if not -self.num_stages <= index < self.num_stages:
            raise ValueError(f'MobileFormer: out_indices entry {index} out of range; stages are '
                             f'0..{self.num_stages - 1} (output stride 2..32)')
        return index % self.num_stages

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if x.dim() != 4 or x.size(1) != self.in_channels:
            raise ValueError(f'MobileFormer expects images of shape (B, {self.in_channels}, H, W),'
                             f' got {tuple(x.shape)}')
        taps = {self.stage_ends[k] for k in self.out_indices}
        last = len(self.features) - 1 if self.return_tokens else max(taps)
        x = self.stem(x)
        tokens = self.tokens.weight.unsqueeze(0).expand(x.size(0), -1, -1)
        outs = [x] if -1 in taps else []
        for i, block in enumerate(self.features[:last + 1]):
            if self.with_cp and x.requires_grad:
                x, tokens = cp.checkpoint(block, x, tokens, use_reentrant=False)
            else:
                x, tokens = block(x, tokens)
            if i in taps:
                outs.append(x)
        if self.return_tokens:
            outs.append(tokens)
        return tuple(outs)

    def init_weights(self) -> None:
        """As BaseModule, except that a ``Pretrained`` init_cfg loads strictly: a missing,
        unexpected or mis-shaped key raises one error listing them (mmengine's own
        Pretrained init only logs them, which would leave a frozen backbone partly random)."""
        cfg = self.init_cfg
        if not (isinstance(cfg, dict) and cfg.get('type') == 'Pretrained'):
            return super().init_weights()
        checkpoint, prefix = cfg.get('checkpoint'), cfg.get('prefix', '')
        if not checkpoint:
            raise ValueError('MobileFormer: init_cfg Pretrained has no checkpoint; set '
                             'model.backbone.init_cfg.checkpoint=PATH')
        mismatch = load_exact(self, checkpoint, prefix)
        if mismatch:
            raise KeyError(arch_mismatch_message(self.arch_name, checkpoint, prefix, mismatch))
        self._is_init = True

    def _freeze_stages(self) -> None:
        if self.frozen_stages < 0:
            return
        frozen: List[nn.Module] = [self.stem] + [
            blk for blk, st in zip(self.features, self.block_stages) if st <= self.frozen_stages]
        if self.frozen_stages >= 1:
            frozen.append(self.tokens)
        for module in frozen:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'MobileFormer':
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self


def recorded_arch(checkpoint: str) -> Optional[str]:
    """The Mobile-Former arch a checkpoint records: ``meta['arch']`` (the studies,
    extract_backbone.py) or its training config's ``model.backbone.arch``; None if neither."""
    from mmengine.runner import CheckpointLoader
    try:
        ckpt = CheckpointLoader.load_checkpoint(checkpoint, 'cpu')
    except Exception:  # noqa: BLE001  (the key mismatch is reported anyway)
        return None
    meta = ckpt.get('meta', {}) if isinstance(ckpt, dict) else {}
    arch = meta.get('arch') if isinstance(meta, dict) else None
    if arch is None and isinstance(meta, dict) and isinstance(meta.get('cfg'), str):
        import re
        found = re.search(r"type='MobileFormer'[^)]*?arch='(\w+)'", meta['cfg'], re.S)
        arch = found.group(1) if found else None
    return str(arch).lower() if arch else None


def arch_mismatch_message(arch: str, checkpoint: str, prefix: str, mismatch: str) -> str:
    """One error for a checkpoint that does not fit: which arch it records, the config of the
    plugin that matches it, and the first mismatched keys (not hundreds)."""
    found = recorded_arch(checkpoint)
    if found and found != str(arch).lower():
        import glob
        import os.path as osp
        root = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
        configs = sorted(glob.glob(osp.join(root, 'configs', 'mmdet',
                                            f'*mobileformer-{found}_*.py')))
        hint = ('; the detection configs of that arch: ' +
                ', '.join(osp.relpath(c, root) for c in configs) if configs else '')
        return (f'MobileFormer(arch={arch!r}): checkpoint {checkpoint} does not fit (mismatched '
                f'keys: {mismatch}). It is an MF-{found.upper()} (its metadata records arch '
                f'{found!r}), not MF-{str(arch).upper()}: set model.backbone.arch={found!r} (and '
                f'the neck\'s in_channels){hint}')
    return (f'MobileFormer(arch={arch!r}): checkpoint {checkpoint} with prefix {prefix!r} does '
            f'not match: {mismatch}; check the arch and prefix')


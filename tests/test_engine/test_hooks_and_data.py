import glob
import os.path as osp
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from qbheat_mm.engine import InvalidLossStopHook

from ..test_tools.helpers import load_tool, tiny_config, write_images


@pytest.mark.parametrize('value', [float('nan'), float('inf')])
def test_invalid_loss_stops_naming_the_iteration(value):
    runner = SimpleNamespace(iter=7, epoch=0, work_dir='/tmp/w')
    with pytest.raises(FloatingPointError, match='at iteration 8'):
        InvalidLossStopHook().after_train_iter(runner, 0, outputs={'loss': torch.tensor(value)})
    InvalidLossStopHook().after_train_iter(runner, 0, outputs={'loss': torch.tensor(0.5)})


def test_invalid_loss_stops_a_real_run_before_checkpointing(tmp_path):
    root = write_images(str(tmp_path / 'data'), count=4)
    extra = "optim_wrapper = dict(optimizer=dict(lr=1e30))\n"  # diverges to inf/nan
    cfg = tiny_config(tmp_path, root, 20, ckpt_interval=1, extra=extra)
    work_dir = str(tmp_path / 'work')
    with pytest.raises(FloatingPointError, match=r'loss is (nan|inf) at iteration (\d+)') as e:
        load_tool('train.py').main([cfg, '--work-dir', work_dir])
    bad_iter = int(str(e.value).split('at iteration ')[1].split()[0])
    assert not osp.exists(osp.join(work_dir, f'iter_{bad_iter}.pth'))


def test_visualization_hook_png_and_tensorboard(tmp_path):
    root = write_images(str(tmp_path / 'data'), count=4)
    extra = ("visualizer = dict(vis_backends=[dict(type='LocalVisBackend'), "
             "dict(type='TensorboardVisBackend')])\n"
             "custom_hooks = [dict(type='QBHeatVisualizationHook', interval=2, num_images=2)]\n")
    work_dir = str(tmp_path / 'work')
    load_tool('train.py').main([tiny_config(tmp_path, root, 2, extra=extra), '--work-dir',
                                work_dir])
    pngs = sorted(glob.glob(osp.join(work_dir, 'vis', '*.png')))
    assert [osp.basename(p) for p in pngs] == ['iter_000001.png', 'iter_000002.png']
    img = np.array(Image.open(pngs[-1]))
    assert img.shape == (18 + 2 * (128 + 2) + 18, 5 * (128 + 2), 3)   # header + footer
    assert glob.glob(osp.join(work_dir, '*', 'vis_data', 'events.out.tfevents.*'))


def test_grayscale_images_train_as_rgb(tmp_path):
    root = str(tmp_path / 'data')
    write_images(root, count=4)
    Image.fromarray(np.random.randint(0, 255, (150, 170), np.uint8), 'L').save(
        osp.join(root, 'train', 'a', 'gray.png'))
    load_tool('train.py').main([tiny_config(tmp_path, root, 2), '--work-dir',
                                str(tmp_path / 'work')])
    assert osp.isfile(osp.join(str(tmp_path / 'work'), 'iter_2.pth'))


def test_unreadable_image_names_the_file(tmp_path):
    root = str(tmp_path / 'data')
    write_images(root, count=3)
    bad = osp.join(root, 'train', 'a', 'broken.png')
    with open(bad, 'wb') as f:
        f.write(b'not a png at all')
    with pytest.raises(Exception, match='broken.png'):
        load_tool('train.py').main([tiny_config(tmp_path, root, 4), '--work-dir',
                                    str(tmp_path / 'work')])


def test_vis_tool_writes_picture(tmp_path):
    root = write_images(str(tmp_path / 'data'), count=4)
    work_dir = str(tmp_path / 'work')
    cfg = tiny_config(tmp_path, root, 1)
    load_tool('train.py').main([cfg, '--work-dir', work_dir])
    vis = load_tool('visualizations/vis_qbheat.py')
    model = vis.build_model(vis.Config.fromfile(cfg))
    assert model.data_preprocessor.mean.flatten().tolist() == pytest.approx(
        [123.675, 116.28, 103.53])  # the config's normalisation, not the default
    out = str(tmp_path / 'pic.png')
    images = sorted(glob.glob(osp.join(root, 'train', 'a', '*.png')))[:3]
    vis.main([cfg, osp.join(work_dir, 'iter_1.pth'), *images, '--out', out, '--size', '128'])
    assert np.array(Image.open(out)).shape == (18 + 3 * 130 + 18, 5 * 130, 3)
    vis.main([cfg, osp.join(work_dir, 'iter_1.pth'), *images, '--out', out, '--size', '128',
              '--view', 'normalised'])
    assert np.array(Image.open(out)).shape == (18 + 3 * 130, 4 * 130, 3)
    with pytest.raises(OSError, match='missing.png'):
        vis.main([cfg, osp.join(work_dir, 'iter_1.pth'), str(tmp_path / 'missing.png'),
                  '--out', out, '--size', '128'])
    other = str(tmp_path / 'other.pth')  # a checkpoint of another model: refused, not rendered
    torch.save({'state_dict': {'backbone.other.weight': torch.zeros(1)}}, other)
    expected = r"other.pth does not fit .*unexpected \['backbone.other.weight'\] \(1\)"
    with pytest.raises(SystemExit, match=expected):
        vis.main([cfg, other, *images, '--out', str(tmp_path / 'no.png'), '--size', '128'])
    assert not osp.exists(str(tmp_path / 'no.png'))

"""Long runs and broken files: tools/misc/verify_dataset.py lists unreadable images up front
(strict decoding), tools/train.py --verify-data refuses to start on them, and the opt-in
--skip-unreadable policy trains past them with each skip logged and counted."""
import glob
import io
import os
import os.path as osp
import re
import sys

import numpy as np
from PIL import Image

from qbheat_mm.datasets.verify_images import check_image, verify_images

from .helpers import load_tool, logged_losses, run, tiny_config, write_images


def break_images(folder: str) -> dict:
    """Add to folder/train/a/ a JPEG cut after its header (no decoder reads it), a JPEG cut
    in its scan data (PIL refuses it; OpenCV fills the rest with grey) and a text file
    with an image name; returns {name: path}."""
    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (96, 96, 3), np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, 'JPEG', quality=90)
    data = buffer.getvalue()
    paths = {name: osp.join(folder, 'train', 'a', name)
             for name in ('header_only.jpg', 'cut.jpg', 'text.png')}
    with open(paths['header_only.jpg'], 'wb') as f:
        f.write(data[:120])
    with open(paths['cut.jpg'], 'wb') as f:
        f.write(data[:len(data) // 2])
    with open(paths['text.png'], 'w') as f:
        f.write('not an image')
    return paths


def test_check_image_is_strict(tmp_path):
    root = write_images(str(tmp_path / 'data'), count=2)
    broken = break_images(root)
    good = sorted(glob.glob(osp.join(root, 'train', 'a', '*.png')))
    good = [p for p in good if p not in broken.values()]
    assert [check_image(p) for p in good] == [None, None]
    assert 'truncated' in check_image(broken['cut.jpg'])
    assert check_image(broken['text.png']).startswith('UnidentifiedImageError')
    assert check_image(str(tmp_path / 'missing.jpg')).startswith('FileNotFoundError')
    paths = good + sorted(broken.values())
    found = verify_images(paths, workers=2, progress=False)
    assert [p for p, _ in found] == sorted(broken.values())      # in the given order


def test_verify_dataset_tool_lists_them_and_fails(tmp_path):
    root = write_images(str(tmp_path / 'data'), count=4)
    config = tiny_config(tmp_path, root, 2)
    clean = run([sys.executable, 'tools/misc/verify_dataset.py', config, '--workers', '1'])
    assert 'all 4 images are readable' in clean.stdout
    broken = break_images(root)
    out_path = str(tmp_path / 'bad.txt')
    out = run([sys.executable, 'tools/misc/verify_dataset.py', config, '--out-path', out_path],
              check=False)
    assert out.returncode == 1, out.stderr[-2000:]
    assert '3 of 7 images are unreadable' in out.stdout
    assert all(p in out.stdout for p in broken.values())
    listed = [line.split('\t')[0] for line in open(out_path).read().splitlines()]
    assert sorted(listed) == sorted(broken.values())
    assert 'Traceback' not in out.stderr


def test_training_stops_verifies_or_skips_with_a_count(tmp_path, capsys):
    root = write_images(str(tmp_path / 'data'), count=8)
    paths = break_images(root)
    for name in ('cut.jpg', 'text.png'):     # keep one broken file: cut after its header
        os.remove(paths[name])
    config = tiny_config(tmp_path, root, 3)
    # default: the run dies when the broken file is first drawn (9 images, batch 4, 3 its)
    died = run([sys.executable, 'tools/train.py', config, '--work-dir', str(tmp_path / 'a')],
               check=False)
    assert died.returncode != 0 and 'header_only.jpg' in died.stderr
    # --verify-data: refused before any iteration, naming the file and both fixes
    refused = run([sys.executable, 'tools/train.py', config, '--verify-data', '--work-dir',
                   str(tmp_path / 'b')], check=False)
    assert refused.returncode != 0 and 'Traceback' not in refused.stderr
    assert re.search(r'1 of 9 images are unreadable:\s+\S*header_only\.jpg', refused.stderr)
    assert '--skip-unreadable' in refused.stderr
    assert 'Iter(train)' not in refused.stdout + refused.stderr
    # --skip-unreadable: all 3 iterations, each skip logged with its count
    work = str(tmp_path / 'c')
    load_tool('train.py').main([config, '--skip-unreadable', '--verify-data',
                                '--work-dir', work])
    assert sorted(logged_losses(work)) == [1, 2, 3]
    log = open(glob.glob(osp.join(work, '*', '*.log'))[0]).read()
    skips = re.findall(r'LoadImageOrSkip: skipped unreadable image .*header_only\.jpg.*; '
                       r'(\d+) skipped so far', log)
    assert skips and [int(n) for n in skips] == list(range(skips and int(skips[0]),
                                                           int(skips[0]) + len(skips)))
    # the up-front check ran before the runner (and its log file) existed: on the console
    assert '--skip-unreadable: training skips them' in capsys.readouterr().out


def test_verify_data_under_two_processes(tmp_path):
    """dist_train.sh --verify-data: rank 0 decodes every image once, the refusal (its message,
    no traceback) ends the whole 2-process job before any iteration; with --skip-unreadable
    both processes train."""
    root = write_images(str(tmp_path / 'data'), count=8)
    paths = break_images(root)
    for name in ('cut.jpg', 'text.png'):
        os.remove(paths[name])
    config = tiny_config(tmp_path, root, 2)
    refused = run(['bash', 'tools/dist_train.sh', config, '2', '--verify-data', '--work-dir',
                   str(tmp_path / 'a')], check=False, timeout=600)
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0 and 'Iter(train)' not in out
    assert len(re.findall(r'1 of 9 images are unreadable', out)) == 1      # rank 0 only
    assert '--skip-unreadable' in out
    work = tmp_path / 'b'
    ran = run(['bash', 'tools/dist_train.sh', config, '2', '--verify-data', '--skip-unreadable',
               '--work-dir', str(work)], timeout=600)
    assert 'training skips them' in ran.stdout and (work / 'iter_2.pth').is_file()

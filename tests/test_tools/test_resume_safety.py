"""Checkpoints are written atomically; --resume falls back to the newest readable checkpoint
when the last one was cut short, finds a moved work dir's checkpoints, and says so loudly
when there is nothing to resume."""
import glob
import json
import os
import os.path as osp
import shutil

import pytest
import torch

from qbheat_mm.fileio import AtomicLocalBackend, find_resume_checkpoint

from .helpers import run, tiny_config, write_images


def save(path, value):
    torch.save({'state_dict': {'w': torch.full((1000, ), float(value))}}, path)


def cut_short(path):
    """What a kill during a non-atomic save leaves: the first half of the file."""
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])


def test_a_killed_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'iter_2.pth'
    backend = AtomicLocalBackend()
    backend.put(b'old checkpoint', path)
    assert path.read_bytes() == b'old checkpoint'

    def killed(*args):
        raise KeyboardInterrupt('killed before the rename')
    monkeypatch.setattr(os, 'replace', killed)
    with pytest.raises(KeyboardInterrupt):
        backend.put(b'new checkpoint, half written', path)
    assert path.read_bytes() == b'old checkpoint'
    assert os.listdir(tmp_path) == ['iter_2.pth']        # no stray temporary file


def test_resume_checkpoint_choice(tmp_path):
    work = tmp_path / 'work'
    work.mkdir()
    assert find_resume_checkpoint(str(work)) == (None, [])
    save(work / 'iter_2.pth', 2)
    save(work / 'iter_4.pth', 4)
    (work / 'last_checkpoint').write_text(str(work / 'iter_4.pth'))
    assert find_resume_checkpoint(str(work)) == (str(work / 'iter_4.pth'), [])
    cut_short(work / 'iter_4.pth')
    found, notes = find_resume_checkpoint(str(work))
    assert found == str(work / 'iter_2.pth') and 'unreadable' in notes[0]
    # a moved work dir: last_checkpoint still names the old absolute path
    moved = tmp_path / 'moved'
    shutil.copytree(work, moved)
    save(moved / 'iter_4.pth', 4)
    found, notes = find_resume_checkpoint(str(moved))
    assert found == str(moved / 'iter_4.pth') and 'not in this work dir' in notes[0]


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    return write_images(str(tmp_path_factory.mktemp('resume_data')), count=8)


def test_resume_after_a_checkpoint_cut_short_continues_from_the_previous_one(tmp_path, images):
    cfg = tiny_config(tmp_path, images, max_iters=4, ckpt_interval=2)
    work = str(tmp_path / 'work')
    run(['python', 'tools/train.py', cfg, '--work-dir', work])
    assert sorted(f for f in os.listdir(work) if f.endswith('.pth')) == ['iter_2.pth',
                                                                          'iter_4.pth']
    assert not [f for f in os.listdir(work) if f.endswith('.tmp')]
    cut_short(osp.join(work, 'iter_4.pth'))
    out = run(['python', 'tools/train.py', cfg, '--work-dir', work, '--resume'])
    log = out.stdout + out.stderr
    assert 'unreadable' in log and 'iter_2.pth instead' in log
    # the second run trained iterations 3 and 4 again, from iter_2
    runs = sorted(glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')))
    with open(runs[-1]) as f:
        iters = [json.loads(line)['iter'] for line in f if '"loss"' in line]
    assert len(runs) == 2 and iters == [3, 4]


def test_resume_in_an_empty_work_dir_says_it_starts_from_scratch(tmp_path, images):
    cfg = tiny_config(tmp_path, images, max_iters=2)
    out = run(['python', 'tools/train.py', cfg, '--work-dir', str(tmp_path / 'typo'),
               '--resume'])
    assert 'no checkpoint in' in out.stdout + out.stderr
    assert 'training starts from scratch' in out.stdout + out.stderr

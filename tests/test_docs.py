"""The documentation holds together: every relative link and anchor in README.md, docs/,
configs/*/README.md and benchmarks/README.md resolves; the README stays a front page; the
model index names exactly the method configs; committed records hold no machine path."""
import glob
import os
import json
import os.path as osp
import re

import pytest

from .conftest import REPO

LINK = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
FENCE = re.compile(r'^(```|~~~).*?^\1', re.S | re.M)


def pages():
    found = ['README.md', 'benchmarks/README.md']
    found += sorted(glob.glob('docs/**/*.md', root_dir=REPO, recursive=True))
    found += sorted(glob.glob('configs/*/README.md', root_dir=REPO))
    return found


def slug(text: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r'`|\*\*|<[^>]+>', '', text.strip().lower())
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)
    return re.sub(r'[^\w\- ]', '', text).replace(' ', '-')


def anchors(path: str) -> set:
    text = FENCE.sub('', open(path).read())
    seen, out = {}, set()
    for line in text.splitlines():
        m = re.match(r'#{1,6} (.*)', line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            out.add(s if n == 0 else f'{s}-{n}')
            seen[s] = n + 1
    out |= set(re.findall(r'<a (?:name|id)="([^"]+)"', text))
    return out


def links(path: str):
    text = FENCE.sub('', open(path).read())
    text = re.sub(r'`[^`\n]*`', '', text)
    return LINK.findall(text)


@pytest.mark.parametrize('page', pages())
def test_every_relative_link_and_anchor_resolves(page):
    path = osp.join(REPO, page)
    broken = []
    for target in links(path):
        if re.match(r'[a-z][a-z0-9+.-]*:', target):       # http:, https:, mailto:
            continue
        file, _, anchor = target.partition('#')
        dest = osp.normpath(osp.join(osp.dirname(path), file)) if file else path
        if not osp.exists(dest):
            broken.append(f'{target} (no {osp.relpath(dest, REPO)})')
        elif anchor and dest.endswith('.md') and anchor not in anchors(dest):
            broken.append(f'{target} (no heading #{anchor} in {osp.relpath(dest, REPO)})')
    assert not broken, f'{page}: ' + '; '.join(broken)


def test_the_link_checker_catches_a_broken_link_and_anchor(tmp_path):
    page = tmp_path / 'p.md'
    (tmp_path / 'q.md').write_text('# Title\n\n## Some `code` heading, twice\n\n## Some code heading, twice\n')
    page.write_text('[a](q.md#title) [b](q.md#some-code-heading-twice-1) [c](nope.md) '
                    '[d](q.md#missing) [e](https://example.org/x)\n```\n[f](inside-fence.md)\n```\n')
    assert links(str(page)) == ['q.md#title', 'q.md#some-code-heading-twice-1', 'nope.md',
                                'q.md#missing', 'https://example.org/x']
    assert {'title', 'some-code-heading-twice', 'some-code-heading-twice-1'} <= anchors(
        str(tmp_path / 'q.md'))


def test_readme_is_a_front_page():
    with open(osp.join(REPO, 'README.md')) as f:
        assert len(f.read().splitlines()) <= 210


def test_no_machine_path_in_records_docs_configs_or_readme():
    """Records and docs name data by the path relative to the repository (or as given), never
    the absolute path of the machine that wrote them."""
    bad = []
    files = glob.glob('benchmarks/results/*', root_dir=REPO) + pages()
    files += glob.glob('configs/**/*.py', root_dir=REPO, recursive=True)
    for rel in files:
        path = osp.join(REPO, rel)
        if osp.isdir(path) or rel.endswith('.png'):
            continue
        text = open(path, errors='replace').read()
        bad += [f'{rel}: {m}' for m in re.findall(r'(?<![\w.])/(?:work|home|root|tmp|Users)/[\w./-]+', text)]
    assert not bad, bad[:10]


def test_records_keep_relative_data_paths():
    for rel in glob.glob('benchmarks/results/*.jsonl', root_dir=REPO):
        with open(osp.join(REPO, rel)) as f:
            for line in f:
                data = json.loads(line).get('settings', {}).get('data')
                assert data is None or not osp.isabs(data), (rel, data)


METHODS = ('qbheat', 'lewel', 'bagssl', 'vicreg', 'gtsa', 'mocov2', 'mobileformer')


def metafiles():
    import yaml
    with open(osp.join(REPO, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    out = {}
    for rel in index['Import']:
        with open(osp.join(REPO, rel)) as f:
            out[rel] = yaml.safe_load(f)
    return out


def test_model_index_imports_every_method_metafile():
    assert sorted(metafiles()) == sorted(f'configs/{m}/metafile.yml' for m in METHODS)


def test_metafile_configs_exist_and_every_method_config_is_listed():
    named = []
    for rel, meta in metafiles().items():
        collections = {c['Name'] for c in meta['Collections']}
        for c in meta['Collections']:
            assert osp.isfile(osp.join(REPO, c['README'])), c['README']
            assert c['Paper']['URL'].startswith('https://arxiv.org/abs/')
        for model in meta['Models']:
            assert model['In Collection'] in collections, model['Name']
            assert osp.isfile(osp.join(REPO, model['Config'])), (rel, model['Config'])
            named.append(model['Config'])
            for result in model.get('Results') or []:
                assert result['Metrics'] and all(isinstance(v, (int, float))
                                                 for v in result['Metrics'].values())
    assert len(named) == len(set(named)), 'a config is listed twice'
    configs = {osp.relpath(p, REPO) for m in METHODS for p in
               glob.glob(osp.join(REPO, 'configs', m, '**', '*.py'), recursive=True)}
    assert configs == set(named), sorted(configs ^ set(named))


@pytest.mark.parametrize('method', METHODS)
def test_every_method_page_has_results_and_a_citation(method):
    with open(osp.join(REPO, 'configs', method, 'README.md')) as f:
        text = f.read()
    assert re.search(r'^## Results', text, re.M), 'no results section'
    assert re.search(r'^\| .* \|$', text.split('## Results', 1)[1], re.M), 'no results table'
    assert '```bibtex' in text


def test_report_only_rebuilds_the_committed_studies_in_a_clone_at_another_path(tmp_path):
    """The committed records name their data relative to the repository, so --report-only
    accepts them in a fresh clone anywhere (with ../shared beside it, as CI has it)."""
    import shutil
    import subprocess
    import sys
    if shutil.which('git') is None or not osp.isdir(osp.join(REPO, '.git')):
        pytest.skip('needs git and a git checkout to clone')
    clone = tmp_path / 'elsewhere' / 'main'
    subprocess.run(['git', 'clone', '-q', REPO, str(clone)], check=True)
    shared = osp.join(osp.dirname(REPO), 'shared')
    if osp.isdir(shared):
        os.symlink(shared, tmp_path / 'elsewhere' / 'shared')
    env = dict(os.environ, PYTHONPATH=str(clone))
    for preset, out in (('imagenette', 'ssl_study_imagenette.md'),
                        ('imagenette-256', 'ssl_study_imagenette256.md')):
        if not (clone / 'benchmarks' / 'results' / out.replace('.md', '.jsonl')).exists():
            continue
        proc = subprocess.run([sys.executable, 'benchmarks/ssl_study.py', '--preset', preset,
                               '--report-only'], cwd=clone,
                              env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        text = (clone / 'benchmarks' / 'results' / out).read_text()
        assert '| qbheat |' in text or '| qbheat | x' in text, text[:500]

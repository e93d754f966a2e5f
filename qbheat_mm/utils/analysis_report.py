"""Write an analysis tool's results as markdown, JSON and a PNG under one name."""
import json
import os
import os.path as osp
from typing import Callable


def write_analysis(out_dir: str, name: str, text: str, results: dict,
                   plot: Callable[[dict, str], str]) -> str:
    """Print ``text``, write ``out_dir/name.md``, ``name.json`` (``results``) and
    ``name.png`` (``plot(results, path)``); returns the PNG path."""
    os.makedirs(out_dir, exist_ok=True)
    print(text)
    with open(osp.join(out_dir, f'{name}.md'), 'w') as f:
        f.write(text)
    with open(osp.join(out_dir, f'{name}.json'), 'w') as f:
        json.dump(results, f, indent=1)
    png = plot(results, osp.join(out_dir, f'{name}.png'))
    print(f'written to {out_dir} ({osp.basename(png)}, .md, .json)')
    return png

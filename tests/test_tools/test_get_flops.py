import re

from .helpers import load_tool


def test_get_flops_table(capsys):
    load_tool('analysis_tools/get_flops.py').main(['--arch', '294m'])
    row = [line for line in capsys.readouterr().out.splitlines() if line.startswith('| MF-294M')]
    assert row and '| 11,422,648 |' in row[0]
    madds = float(re.search(r'\| ([\d.]+)M \| 294M', row[0]).group(1))
    assert abs(madds - 294) / 294 < 0.01  # dynamic-ReLU multiplies counted, as the paper does

"""PNG charts of the benchmark tables (matplotlib, Agg backend)."""
import os
import os.path as osp
from typing import Dict, Sequence, Tuple


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def scatter(points: Dict[str, Tuple[float, float]], path: str, xlabel: str, ylabel: str,
            title: str) -> str:
    """One labelled marker per name at (x, y)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    for name, (x, y) in points.items():
        ax.scatter([x], [y], s=40)
        ax.annotate(name, (x, y), textcoords='offset points', xytext=(5, 4), fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    return _save(fig, plt, path)


def grouped_bars(groups: Sequence[str], series: Dict[str, Sequence[Tuple[float, float]]],
                 path: str, ylabel: str, title: str) -> str:
    """Bars of mean +- std: one group per entry of ``groups`` (e.g. methods), one bar per
    series (e.g. probes); ``series[name][i]`` = (mean, std) of group i."""
    plt = _pyplot()
    width = 0.8 / max(1, len(series))
    fig, ax = plt.subplots(figsize=(max(6.4, 0.9 * len(groups) * max(1, len(series)) / 2),
                                    4.4), dpi=120)
    for j, (name, values) in enumerate(series.items()):
        xs = [i + (j - (len(series) - 1) / 2) * width for i in range(len(groups))]
        ax.bar(xs, [m for m, _ in values], width, yerr=[s for _, s in values], capsize=2,
               label=name)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, rotation=20, ha='right', fontsize=9)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    # beside the axes, not over the bars
    ax.legend(fontsize=8, loc='upper left', bbox_to_anchor=(1.01, 1.0), borderaxespad=0.)
    ax.grid(axis='y', alpha=0.3)
    return _save(fig, plt, path)


def curves_with_bands(curves: Dict[str, Sequence[Sequence[Tuple[float, float]]]], path: str,
                      xlabel: str, ylabel: str, title: str,
                      levels: Dict[str, float] = None) -> str:
    """One line per name through the mean of its runs' (x, y) curves (the runs' points
    share their x positions up to noise; x is averaged too) and a band of +- one std over
    the runs where there are several; ``levels`` adds dashed horizontal reference lines."""
    import numpy as np
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.8, 4.6), dpi=120)
    for name, runs in curves.items():
        n = min(len(r) for r in runs)
        if n == 0:
            continue
        xs = np.array([[p[0] for p in r[:n]] for r in runs]).mean(0)
        ys = np.array([[p[1] for p in r[:n]] for r in runs])
        mean = ys.mean(0)
        line, = ax.plot(xs, mean, marker='o', ms=3, label=f'{name} ({len(runs)} seed'
                        f'{"s" if len(runs) > 1 else ""})')
        if len(runs) > 1:
            std = ys.std(0, ddof=1)
            ax.fill_between(xs, mean - std, mean + std, color=line.get_color(), alpha=0.2)
    for name, y in (levels or {}).items():
        ax.axhline(y, ls='--', lw=1, color='grey')
        ax.annotate(name, (ax.get_xlim()[0], y), textcoords='offset points', xytext=(4, 3),
                    fontsize=8, color='grey')
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, plt, path)


def _save(fig, plt, path: str) -> str:
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    print(f'picture written to {path}')
    return path

"""Copy the tables in benchmarks/results/*.md into benchmarks/README.md (between markers).

    python benchmarks/collect_results.py
"""
import os.path as osp

HERE = osp.dirname(osp.abspath(__file__))
ORDER = ('ssl_study', 'pretrain_throughput', 'pretrain_throughput_294m_256',
         'pretrain_breakdown', 'pretrain_throughput_resnet50_256', 'qbheat_ablations',
         'heat_invariance', 'backbone_latency', 'backbone_latency_dyrelu', 'patch_aggregation')
BEGIN, END = '<!-- results:begin -->', '<!-- results:end -->'


def main() -> None:
    parts = []
    for name in ORDER:
        path = osp.join(HERE, 'results', f'{name}.md')
        if osp.isfile(path):
            with open(path) as f:
                parts.append(f.read().replace('### ', '#### ').strip())
    readme = osp.join(HERE, 'README.md')
    with open(readme) as f:
        text = f.read()
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    with open(readme, 'w') as f:
        f.write(head + BEGIN + '\n' + '\n\n'.join(parts) + '\n' + END + tail)
    print(f'{len(parts)} result tables -> {readme}')


if __name__ == '__main__':
    main()

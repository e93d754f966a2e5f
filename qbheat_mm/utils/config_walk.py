"""Walking a nested OpenMMLab config (dicts and lists) for the dicts inside it."""
from typing import Iterator, Tuple


def nested_dicts(node, path: str = '') -> Iterator[Tuple[str, dict]]:
    """Every dict inside ``node`` (itself included), parents before children, with its
    dotted ``--cfg-options`` path relative to ``node`` (list items by index, e.g.
    ``roi_head.bbox_head.0``). The dicts are the config's own, so callers may set values."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from nested_dicts(value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from nested_dicts(value, f'{path}.{index}' if path else str(index))

"""Python's cyclic garbage collector paused around bulk work (refcounting still frees
everything).

    with paused_gc():                 # a build: millions of short-lived tokens and n-grams
        ...
    with paused_gc(collect=True):     # a load: millions of small rows alive until it ends
        ...

Each collector pass walks every live object: 15 % of the 15,821-name build's CPU
(bench/results/loader.md); 17 % of reading 100k models' artifacts and 42 % of making their Model
rows (bench/results/load.md), growing with what is alive.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc(collect: bool = False) -> Iterator[None]:
    """The collector off inside the block, back as it was after; `collect`: one pass at the
    end (a load leaves its rows behind at once)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        if collect:
            gc.collect()

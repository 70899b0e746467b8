"""Imported by the process pool's fork server before it forks any worker (``pool.PRELOAD``).

It sets the parser up (imports, compiled patterns, the one-time tables ``running.warm_up`` builds) and loads
jieba's dictionary (about a second and 75 MB, needed as soon as a page has copies) once; every worker then
starts as a fork of this process and shares those pages copy-on-write instead of building its own.
``gc.freeze`` keeps the collector from writing into the shared objects' headers, which would copy their pages.
Nothing here may stop the fork server: without its set-up each worker does it on its own, as before.
"""

from __future__ import annotations

import gc
import sys

PREPARED = False  # set in the fork server, and so in every worker forked from it


def _prepare() -> None:
    global PREPARED
    try:
        from ..diff import word_boundaries
        from .running import warm_up

        warm_up()
        word_boundaries("整改落实")  # builds jieba's tokenizer with its dictionary
        PREPARED = True
    except Exception as exc:  # a worker without the shared set-up still works; say why it is missing
        sys.stderr.write(f"rectify-parse: the workers' shared set-up failed ({type(exc).__name__}: {exc})\n")
    gc.freeze()


_prepare()

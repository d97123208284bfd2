"""Keep the garbage collector's full passes off the heap a task process starts with.

A task process starts by importing Airflow, the DAG file and our modules: 10⁵ objects
that live as long as the process. CPython's full collection walks every one of them each
time the objects a task keeps outnumber a quarter of them, and a fan-out keeps enough:
reminding 10k people, the benchmark child (a 78-79k-object start-up heap, without
Airflow's own) spent 25-39 ms collecting, 20-31 ms of it in one full pass, against
5-6.5 ms and no full pass frozen.
Moving the start-up heap into the collector's permanent generation (`gc.freeze`) leaves
the full passes only what the task allocated. Airflow freezes its own heap before forking
worker processes (`LocalExecutor._spawn_workers_with_gc_freeze`, the Celery worker's
`on_celery_import_modules`), but not what a task process imports after that.
"""

from __future__ import annotations

import gc
import os

_frozen_in: int | None = None


def freeze_startup_heap() -> None:
    """Freeze every object alive now, once per process.

    Once, because under `dag.test()` every task of every run shares one process: freezing
    again at each task would also freeze what earlier tasks left for the collector. No
    `gc.collect()` first: it would cost the very full pass this avoids, and the cyclic
    garbage a just-started task process holds is a few objects, kept until it exits.
    Reference counting still frees frozen objects; only cycles among them stay.
    """
    global _frozen_in
    if _frozen_in == os.getpid():
        return
    gc.freeze()
    _frozen_in = os.getpid()

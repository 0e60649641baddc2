"""The report build: execute the notebooks, skip the unchanged ones, keep outputs byte-stable.

- :mod:`evstudy.build.runner` executes parameterised notebooks in parallel with papermill,
  each in its own worker process and kernel, under a wall-clock limit.
- :mod:`evstudy.build.cache` decides which notebooks can be skipped, by content hashes of
  everything a notebook depends on.
- :mod:`evstudy.build.normalise` removes run times and random ids from executed notebooks.
"""

import sys

# jsonschema, under nbformat, compiles rfc3987-syntax's grammar on import (~2 s) for URI
# format checks that nbformat never makes; builds and their workers do without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

from evstudy.build.cache import (  # noqa: E402
    dependency_digest,
    is_fresh,
    markdown_changed,
    record_success,
    refresh_markdown,
)
from evstudy.build.normalise import normalise_notebook, write_notebook  # noqa: E402
from evstudy.build.runner import (  # noqa: E402
    BuildError,
    JobResult,
    NotebookError,
    NotebookJob,
    run_notebooks,
)

__all__ = [
    "BuildError",
    "JobResult",
    "NotebookError",
    "NotebookJob",
    "dependency_digest",
    "is_fresh",
    "markdown_changed",
    "normalise_notebook",
    "record_success",
    "refresh_markdown",
    "run_notebooks",
    "write_notebook",
]

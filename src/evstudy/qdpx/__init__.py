"""REFI-QDA project exchange (``.qdpx``): read, inspect, export and import.

``read_qdpx`` reads any tool's project into tidy tables, ``export_qdpx``
writes the study for NVivo, ATLAS.ti, MAXQDA or QualCoder, and
``import_qdpx`` brings codings made there back onto the study's canonical
text (``with_import`` adds them to a Study). A ``.qdpx`` in a study's ``coding/`` folder is
read by ingest as coding data (:mod:`.coding`); :mod:`.codebook` drafts a ``codebook.yml``
from a tool's codes and writes the study's codebook as a REFI-QDA ``.qdc``.
"""

from __future__ import annotations

from evstudy.qdpx.merge import QdpxImport, import_qdpx, with_import
from evstudy.qdpx.read import QdpxProject, inspect_qdpx, read_qdpx
from evstudy.qdpx.write import export_qdpx

__all__ = [
    "QdpxImport",
    "QdpxProject",
    "export_qdpx",
    "import_qdpx",
    "inspect_qdpx",
    "read_qdpx",
    "with_import",
]

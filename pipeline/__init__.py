"""curate: a curation and link-checking pipeline for patient-information hubs."""

from pathlib import Path

__version__ = "0.1.0"

# The JSON Schemas of the catalogue, the acknowledgements and the report: the
# repository's schemas/ folder, reached through the link pipeline/schemas,
# which an installed package carries as real files.
SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"

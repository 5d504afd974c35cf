"""The catalogue: the YAML files that say what each hub promises patients.

Its steps, one module each, in the order a file meets them:

    files.py             which files, and each one's bytes (within a size cap)
    yaml.py              the only YAML reader: anchors and aliases refused, a
                         fast reader, ruamel.yaml's round trip for lines
    validate.py          the schema (fastjsonschema, then jsonschema to explain),
                         the checks a schema cannot express, the checks across files
    messages.py          the curator-facing wording of every schema problem
    build.py             valid entries -> Hub and Resource (pipeline.models)
    load.py              load_catalogue (load_catalogue_bytes) and load_resources_from_text:
                         all of the above
    edit.py              round-trip edits that keep a file's layout (curate accept)
    acknowledgements.py  catalogue/acknowledgements.yaml, read and recorded

A catalogue that does not load is never half-used: every problem is raised at
once as a CatalogueError of `FILE:LINE: id: message` lines (problems.py).
"""

from pipeline.catalogue.acknowledgements import (
    ListEntry,
    read_acknowledgements,
    save_acknowledgement,
)
from pipeline.catalogue.edit import (
    ACKNOWLEDGEMENT_FIELDS,
    RESOURCE_FIELDS,
    edit_resource,
)
from pipeline.catalogue.files import (
    ACKNOWLEDGEMENTS_NAME,
    MAX_FILE_BYTES,
    YAML_SUFFIXES,
    catalogue_paths,
)
from pipeline.catalogue.load import (
    load_catalogue,
    load_catalogue_bytes,
    load_resources_from_text,
)
from pipeline.catalogue.messages import did_you_mean
from pipeline.catalogue.problems import NO_ID, CatalogueError, Problem
from pipeline.catalogue.validate import ACKNOWLEDGEMENTS_SCHEMA_PATH, SCHEMA_PATH

__all__ = [
    "ACKNOWLEDGEMENTS_NAME",
    "ACKNOWLEDGEMENTS_SCHEMA_PATH",
    "ACKNOWLEDGEMENT_FIELDS",
    "MAX_FILE_BYTES",
    "NO_ID",
    "RESOURCE_FIELDS",
    "SCHEMA_PATH",
    "YAML_SUFFIXES",
    "CatalogueError",
    "ListEntry",
    "Problem",
    "catalogue_paths",
    "did_you_mean",
    "edit_resource",
    "load_catalogue",
    "load_catalogue_bytes",
    "load_resources_from_text",
    "read_acknowledgements",
    "save_acknowledgement",
]

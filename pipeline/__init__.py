"""curate: a curation and link-checking pipeline for patient-information hubs."""

__version__ = "0.1.0"

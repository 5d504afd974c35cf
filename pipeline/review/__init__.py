"""Review a run: what needs a decision, accepting what curate saw, acknowledging.

Three things a curator does with the latest run, all ending in plain files
under version control, so that the review itself goes through a pull request,
one module each:

- listing (`needs_decision` / `render_review`): every resource with an error
  or a warning, or with a finding that proposes a catalogue change, unless
  every such problem is acknowledged; each with the exact next command to run.
- accepting (`accept`): write the observed values (the new address after a
  permanent redirect, the new title, the new page count) and `last_reviewed`
  into the catalogue YAML, changing nothing else in the file.
- acknowledgements (`acknowledge`): record in catalogue/acknowledgements.yaml
  that a curator knows about a finding. `apply_acknowledgements` then lowers
  it to info until the acknowledgement expires or what curate sees changes
  (the module's docstring says exactly what an acknowledgement mutes).

shared holds what they all use (ReviewError). YAML is read and written only
by pipeline.catalogue; this package holds the rules. The names below are
what the rest of curate imports from `pipeline.review`.
"""

from pipeline.review.accepting import (
    ACCEPTABLE_FIELDS,
    Acceptance,
    Change,
    accept,
    nothing_to_accept,
    proposed_changes,
)
from pipeline.review.acknowledgements import (
    ACKNOWLEDGEABLE_CODES,
    ACKNOWLEDGEMENTS_HEADER,
    ACKNOWLEDGEMENTS_PATH,
    Acknowledgement,
    Acknowledgements,
    Concern,
    acknowledge,
    apply_acknowledgements,
    evidence_of,
    is_muted,
    items_of,
    load_acknowledgements,
    same_evidence,
)
from pipeline.review.listing import Decision, needs_decision, render_review
from pipeline.review.shared import ReviewError

__all__ = [
    "ACCEPTABLE_FIELDS",
    "ACKNOWLEDGEABLE_CODES",
    "ACKNOWLEDGEMENTS_HEADER",
    "ACKNOWLEDGEMENTS_PATH",
    "Acceptance",
    "Acknowledgement",
    "Acknowledgements",
    "Change",
    "Concern",
    "Decision",
    "ReviewError",
    "accept",
    "acknowledge",
    "apply_acknowledgements",
    "evidence_of",
    "is_muted",
    "items_of",
    "load_acknowledgements",
    "needs_decision",
    "nothing_to_accept",
    "proposed_changes",
    "render_review",
    "same_evidence",
]

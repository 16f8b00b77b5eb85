"""Playbooks to and from Mattermost Playbooks' JSON export, one module per concern:
`export_format` (the JSON Mattermost writes, as pydantic models, and loading it), `notes` (what
prr writes into an item's description so that an Export keeps it), `sections` (review sections
in the run summary template), `keys` (slugs and item keys), `drafts` (Mattermost items read on
their way to becoming prr items), `owners` (the team that owns each item), `importing` and
`exporting` (the two directions, and the only names the rest of prr uses).
"""

from __future__ import annotations

from prr.integrations.mattermost.playbooks.exporting import mattermost_from_spec, mattermost_json
from prr.integrations.mattermost.playbooks.importing import (
    Conversion,
    import_mattermost_playbook,
    spec_from_mattermost,
)

__all__ = [
    "Conversion",
    "import_mattermost_playbook",
    "mattermost_from_spec",
    "mattermost_json",
    "spec_from_mattermost",
]

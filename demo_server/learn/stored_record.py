"""A session record as a store keeps it, the JSON text, shown field by field.

Redis keeps each session as the JSON of its record (``data``, ``created_at``,
``max_age`` and a ``version``), and no expiry: that is the key's TTL.
Notebook 08 §4 reads a key with the ``redis`` client, the way ``redis-cli GET``
would, and prints it with :func:`describe_record`, which shows the same lines
on every run: ``created_at`` as a UTC time (masked by the notebooks' sanitizer)
and the random ``version`` described instead of shown.
"""

from __future__ import annotations

import json

from ..i18n import N_, _
from .display import format_utc

#: Shown instead of the version, which is random: its value would differ on every run (translated when shown).
VERSION_DESCRIPTION = N_("a random number, new with every write of the data")


def describe_record(text: str | bytes, indent: str = "  ") -> str:
    """The fields of a stored record's JSON, one a line, in the order stored, with readable values."""
    lines = []
    for name, value in json.loads(text).items():
        if name == "created_at":
            shown = format_utc(value)
        elif name == "version":
            shown = _(VERSION_DESCRIPTION)
        else:
            shown = json.dumps(value, ensure_ascii=False)
        lines.append(f"{indent}{name:10}  {shown}")
    return "\n".join(lines)

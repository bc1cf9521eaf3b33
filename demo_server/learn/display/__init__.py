"""Show exchanges, cookie jars and session stores in a notebook, as text and as HTML.

Every display object here has two forms carrying the same facts:

* **text/plain** reads like a raw HTTP transcript, so a notebook still makes
  sense in a diff, on GitHub or in a terminal;
* **text/html** adds colour, layout and tooltips, and no new facts.

Both speak the language set by :func:`demo_server.i18n.use_language`: every label
is translated when it is shown, and no value is (ids, headers, cookies, data, bodies).

Both forms are deterministic once ``notebooks/sanitize.cfg`` has masked session
ids, signatures, dates and ports: no memory addresses, no dependence on dict
order, one date format (HTTP dates exactly as received; times we compute as
``YYYY-MM-DD HH:MM:SS UTC``), and ports only inside ``Host``.

One module per job, each importing only the ones above it:

* :mod:`.explain`: what each part of a cookie value and each attribute means (the tooltips);
* :mod:`.sequence`: what happened between browser, server and store (``sequence_for``), pure logic;
* :mod:`.text`: the text transcripts;
* :mod:`.html`: the HTML cards, panels and sequence diagram, made to survive JupyterLab's sanitizer;
* :mod:`.views`: the display objects and the ``show_*`` functions. Importing it makes every
  :class:`~demo_server.learn.client.Exchange` show itself as a transcript and a card.
"""

from __future__ import annotations

from .explain import ATTRIBUTE_MEANINGS, HEADER_MEANINGS, Role, cookie_value_parts, format_data, format_utc
from .sequence import Actor, Arrow, sequence_for
from .text import BODY_PREVIEW_LINES, format_exchange
from .views import (
    ExchangeView, JarView, StepView, StoreView, TableView, show_exchange, show_jar, show_step, show_store,
    show_table,
)

__all__ = [
    "ATTRIBUTE_MEANINGS", "BODY_PREVIEW_LINES", "HEADER_MEANINGS", "Actor", "Arrow", "ExchangeView", "JarView",
    "Role", "StepView", "StoreView", "TableView", "cookie_value_parts", "format_data", "format_exchange",
    "format_utc", "sequence_for", "show_exchange", "show_jar", "show_step", "show_store", "show_table",
]

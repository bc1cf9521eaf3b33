"""``python -m demo_server``: see :mod:`demo_server.cli`."""

import sys

from .cli import main

sys.exit(main())

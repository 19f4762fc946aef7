"""``python -m unibox_tui``: the same as the ``unibox-tui`` command."""

from .cli import main

raise SystemExit(main())

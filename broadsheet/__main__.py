"""``python -m broadsheet [build|serve|check|new]``: the same as the ``broadsheet`` command."""

import sys

from .cli import main

sys.exit(main())

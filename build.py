#!/usr/bin/env python3
"""Build, serve or check the site: ``python build.py [build|serve|check] --help``."""

import sys

from broadsheet.cli import main

if __name__ == "__main__":
    sys.exit(main())

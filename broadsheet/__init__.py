"""Broadsheet: a static site generator for data journalism."""

from .cache import Cache
from .charts import chart
from .config import Config, load_config
from .errors import SiteError
from .geodata import GeoData
from .output import MemoryOutput, Output
from .site import BuildResult, build_site

__version__ = "0.2.0"  # the same as pyproject.toml's (tests/test_package.py checks)

__all__ = ["BuildResult", "Cache", "Config", "GeoData", "MemoryOutput", "Output", "SiteError", "build_site", "chart", "load_config"]

"""catalog-engine: catalog as code for Tokopedia & Shop."""

__version__ = "0.1.0"

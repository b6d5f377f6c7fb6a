"""hrfind: an offline finder for harm-reduction knowledge and services."""

__version__ = "0.1.0"

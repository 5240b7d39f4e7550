"""DST: the Community Care Decision Support Tool."""

__version__ = "0.1.0"

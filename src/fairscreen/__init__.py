"""fairscreen: lawful pre-employment background checks by construction."""

__version__ = "0.1.0"

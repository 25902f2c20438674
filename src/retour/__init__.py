"""retour: an information system for return cooperation."""

__version__ = "0.1.0"

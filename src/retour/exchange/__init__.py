"""The exchange format (CONTRACT.md): read, validate, write. Imports only retour.domain."""

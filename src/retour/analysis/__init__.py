"""Pure analyses: Polars frames in, typed result tables out. Imports only retour.domain."""

"""Publication profiles applied at every output boundary."""

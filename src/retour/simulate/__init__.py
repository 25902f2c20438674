"""A vectorised simulation of the return chain with known truth. Writes through exchange."""

"""Domain codes and value types. Imports nothing of retour's own."""

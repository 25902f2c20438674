"""The use cases shared by the CLI and the web: load from the store, analyse, disclose, render."""

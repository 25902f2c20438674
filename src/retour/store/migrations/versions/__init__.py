"""The revisions. Each is frozen history: it spells out its DDL and never reads SPECS."""

"""The commands of `retour`. Each parses options, calls one service function, renders."""

from __future__ import annotations

"""Dock panels and dialogs (the planner panels live here)."""

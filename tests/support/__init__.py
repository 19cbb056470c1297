"""Helpers shared by the test folders (headless-browser checks of rendered pages)."""

"""Serving: publish the checked warehouse to a read-only file, and the tools that read it."""

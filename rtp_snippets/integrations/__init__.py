"""Thin shells over the library for Jinja, MkDocs, Pelican and Sphinx."""

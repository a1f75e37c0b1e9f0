"""Constellation: an atlas of the Hugging Face model ecosystem in a graph database."""

__version__ = "0.1.0"

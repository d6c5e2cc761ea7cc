"""Ingest: Markdown files in, validated documents with sections out, synced into the catalog."""

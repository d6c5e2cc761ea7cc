"""Curating: the editor, upload, review workflow, history and diffs, dashboard, audit log."""

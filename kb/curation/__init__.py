"""Curation: the review workflow (draft → in review → published → archived) and revisions."""

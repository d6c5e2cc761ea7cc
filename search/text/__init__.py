"""Text shared by indexing and querying: the zh/en analyzer, PMO glossary, spelling vocabulary."""

"""The store: the SQLAlchemy database, dialect helpers, the catalog of documents and sections,
browsing it, and the audit log every feature writes to."""

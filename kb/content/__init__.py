"""The content model: documents and sections, vocabularies, front-matter schemas, problems, safe
paths, language detection and Markdown — pure code, no database."""

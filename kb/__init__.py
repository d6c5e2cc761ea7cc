"""PMO knowledge base core: content model, settings, store. Importable without the web stack."""

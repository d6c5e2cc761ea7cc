"""Reader telemetry: the search query log, reader feedback and the analytics built on them."""

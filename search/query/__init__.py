"""The query pipeline, a module a stage: plan → legs → fuse → re-rank → page (see searcher)."""

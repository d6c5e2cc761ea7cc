"""Search: index lifecycle, query pipeline, lesson features and measurement, a sub-package each."""

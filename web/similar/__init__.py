"""Similar lessons: the warning in the editor and on the review page."""

"""Following what matters: watch lists, visits, what changed since, and the weekly digest."""

"""Lesson features built on search: similar lessons while writing, lessons beside training."""

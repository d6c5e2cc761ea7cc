"""Lesson actions: the panel on a lesson, the curators' actions dashboard and its JSON API."""

"""Routers, one per area of the site."""

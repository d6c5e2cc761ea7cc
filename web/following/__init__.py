"""Following: Atom feeds, watch lists and what is new for a reader."""

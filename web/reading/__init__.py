"""Reading: the home, browse, search and document pages, and the JSON API over them."""

"""What every feature of the web app shares: rendering, the UI language and its catalogs, sign-in
and roles, CSRF, cookies, security headers, body and rate limits, error pages, dependencies."""

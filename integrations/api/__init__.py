"""The REST API (/api/v1/): the same rules as the browser, for programs holding a token."""

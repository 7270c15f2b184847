"""HTTP edge: the REST API (and, later, the resident pages)."""

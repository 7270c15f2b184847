"""HTTP edge: the REST API, and the resident pages (report form, status page, photos)."""

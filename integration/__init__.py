"""The edges: REST API and resident pages (`web`), and later the chat platforms."""

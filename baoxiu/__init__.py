"""The composition root: configuration, the aiohttp app factory and the `baoxiu` CLI."""

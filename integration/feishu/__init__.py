"""Feishu (Lark): ticket cards in team groups, clicks by webhook or long connection.

Outbound calls go through the official SDK (lark-oapi) with a tenant token we fetch and cache
ourselves, asynchronously; the SDK's own fetch blocks the event loop.
"""

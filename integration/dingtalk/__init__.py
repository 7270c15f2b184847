"""DingTalk: ticket cards from a card-platform template, clicks by Stream or HTTP callback.

Outbound calls are plain aiohttp against a configurable base URL: the official SDKs open a
session per call (alibabacloud-dingtalk) or make blocking requests (dingtalk-stream).
"""

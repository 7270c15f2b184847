"""What the platform clients share for calling a chat platform: pacing under its rate limits
and backoff (`pace`), trying a call again while it can still succeed (`retry`), the cached
access token (`token`), the one failure every client raises (`errors.DeliveryError`), and the
keys that name the cards we post (`keys`).

Named after the direction of the calls, not after who makes them: the delivery worker posting
a card, a robot answering in a group and `baoxiu doctor` checking credentials all call out
through the same clients, and DingTalk's click parser reads back the key a card was posted
under. None of it is the outbox, so it sits below both the platform packages and the worker
(`delivery/`), and neither has to import the other to share it.
"""

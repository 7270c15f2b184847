"""The outbox worker: sends the cards the outbox holds, after their change has committed, and
the port (`adapter.ChatAdapter`) it sends them through. What it shares with the platform
clients (pacing, retries, tokens, `DeliveryError`, card keys) is in `integration.outbound`."""

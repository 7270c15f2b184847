"""The domain core: ticket states and transitions, roles and permissions, routing.

Pure Python on purpose: no web framework, no SQL, no platform SDK. Every edge (REST API, CLI,
chat platforms, jobs) reaches tickets through `tickets.service.TicketService`, so each rule
lives here once.
"""

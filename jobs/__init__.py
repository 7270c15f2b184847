"""Scheduled jobs (SLA watch, weekly summary, return visits, delivery retries).

Each job will call `tickets.service`; none holds rules of its own.
"""

"""Outbound delivery: where cards go (the planner) and how they get there (the worker)."""

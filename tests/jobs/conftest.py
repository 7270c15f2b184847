"""The jobs run on the ticket service of tests/storage, on the same real databases."""

from tests.storage.conftest import service, service_for

__all__ = ["service", "service_for"]

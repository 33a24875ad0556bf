"""The root of every error the cockpit raises on purpose. Each carries one sentence a person can act on;
catching `CockpitError` catches all of them, and none is also a built-in error whose `except` order would
matter (a refusal is not an OSError, a missing deal not a KeyError)."""


class CockpitError(Exception):
    """An error the cockpit raised on purpose: its message is the sentence to show."""

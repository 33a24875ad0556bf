"""An ended session's memory goes back to the system, not only to the server's heaps (issue 28)."""

import threading

from core.ui.session import MEMORY_THREAD, give_free_memory_back


def test_one_thread_per_server_gives_free_memory_back(app):
    pipeline = app(deal=1)
    concessions = app(deal=2, page="pages/concessions.py")
    assert not pipeline.exception and not concessions.exception
    # However many sessions and screens ran, one thread per server process, which never holds it open.
    givers = [t for t in threading.enumerate() if t.name == MEMORY_THREAD]
    assert len(givers) == 1 and givers[0].daemon and givers[0].is_alive()
    assert give_free_memory_back()  # glibc, as on every machine the cockpit is served from

"""Text made once per ended record: the cache behind a checkpoint's JSON and ``metrics.csv``.

A run's records (one dict per epoch) only grow, and an ended epoch's dict is not changed again,
so a file rewritten at every epoch's end can reuse the text it made for it. Records are known by
identity; the cache holds every record it formatted (so an id is never reused while cached) and,
at each ``sweep``, keeps only those asked for since the one before.
"""


class EndedRecords:
    """``text(record)`` = ``format(record)``, made once per record object."""

    def __init__(self, format):
        self.format = format
        self._kept: dict[int, tuple[dict, str]] = {}  # id(record) -> (record, its text)
        self._asked: dict[int, tuple[dict, str]] = {}

    def text(self, record) -> str:
        cached = self._kept.get(id(record))
        if cached is None or cached[0] is not record:
            cached = (record, self.format(record))
        self._asked[id(record)] = cached
        return cached[1]

    def sweep(self) -> None:
        """Forget the records not asked for since the last sweep."""
        self._kept, self._asked = self._asked, {}

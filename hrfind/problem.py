"""A problem found in a data file: where it is and what is wrong.

Its own module, so that a run that only reports the problems a store kept does not import the
validator (hrfind.check) to read them.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Problem:
    file: str
    message: str
    kind: str | None = None
    index: int | None = None
    id: str | None = None
    field: str | None = None
    fatal: bool = True  # False: reported, but the record still loads

    def __str__(self) -> str:
        where = [self.file]
        if self.kind is not None:
            record = f"{self.kind}[{self.index}]" if self.index is not None else self.kind
            if self.id:
                record += f' "{self.id}"'
            where.append(record)
        if self.field:
            where.append(self.field)
        return ": ".join(where + [self.message])

"""What every part of the demo generator shares: the seeded random draws, today, the records
made so far, and the draws that records of every kind use (a time of day, a phone number,
a name). The modules named after a kind of record make the records; demo.generate runs them.

Every draw comes from the one `World.rng`, in a fixed order: that is what makes the demo the
same, byte for byte, for the same seed. Moving or adding a draw changes every file after it.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from demo import tables as D
from demo.model import Complaint, Customer, Visit
from demo.vocab import Vocab

DAY = timedelta(days=1)
WANG_FANG = "王芳"  # the customer of the K301 story (demo.baseline): no one else is given her name


def wchoice(rng: random.Random, pairs):
    """Weighted choice from ((value, weight), ...)."""
    total = 0
    for _, w in pairs:
        total += w
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


class World:
    def __init__(self, seed: int, today: date, vocab: Vocab):
        self.rng = random.Random(seed)
        self.today = today
        self.start = today - timedelta(days=730)
        self.V = vocab
        self.customers: list[Customer] = []
        self.complaints: list[Complaint] = []
        self.used_phones: set[str] = set()
        self.used_names: set[str] = {WANG_FANG}
        self.serial = 0  # customers made so far
        self.order = 0  # visits and complaints made so far: the order of records made on the same minute
        self.leaver_left = today - DAY

    def at(self, day: date, h0: int = 9, h1: int = 19) -> datetime:
        """A moment of `day` between h0:00 and h1:00."""
        rng = self.rng
        return datetime.combine(day, time(rng.randint(h0, h1 - 1), rng.randrange(0, 60)))

    def next_order(self) -> int:
        self.order += 1
        return self.order

    def visit(self, c: Customer, at: datetime, staff: str, type_: str, summary: str, **kw) -> Visit:
        v = Visit(c, at, staff, self.V.check("visitType", type_), summary, **kw)
        v.order = self.next_order()
        c.visits.append(v)
        return v

    def reassign(self, c: Customer, day: date, new_owner: str, reason: str, by: str = D.DIRECTOR) -> None:
        c.owner_history.append((new_owner, day, by, reason))

    def phone(self) -> str:
        rng = self.rng
        return self._unused(lambda: wchoice(rng, D.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}")

    def landline(self) -> str:
        rng = self.rng
        return self._unused(lambda: f"021-{rng.choice('3456')}{rng.randrange(10**7):07d}")

    def _unused(self, draw) -> str:
        while True:
            number = draw()
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def person_name(self, gender: str) -> str:
        """A name, seldom one already given (people do share names)."""
        rng = self.rng
        given = D.GIVEN_MALE if gender == "男" else D.GIVEN_FEMALE
        for _ in range(20):
            name = wchoice(rng, D.SURNAMES) + rng.choice(given)
            if name not in self.used_names or rng.random() < 0.3:
                break
        if name == WANG_FANG:
            name = "王芬"
        self.used_names.add(name)
        return name

    def wechat(self) -> str:
        rng = self.rng
        tail = rng.choice((str(rng.randint(1965, 2000)), f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
                           "_" + str(rng.randint(1, 999)), *D.WECHAT_SUFFIXES))
        return rng.choice(D.WECHAT_WORDS) + tail

"""The simulation of the demo company's year: who works there, whom they sell to, and how
every deal went, week by week, as plain row tuples.

``CompanyYear`` draws everything from one ``random.Random(seed)`` and from ``today``
(never the clock): the people in five branches under one VP, customers and contacts,
the products, then each deal's path through its pipeline's stages (``simulate``; the
recent weeks get a scripted win, loss and new deal each, ``scripted``), the activities
around the moves, and from what people won: targets, "My week" notes, budgets and
expenses.  ``loading`` writes the rows as they are made, chunk by chunk.

Timestamps are naive UTC like the rest of the database.  The demo's "now" is ``today``
at 09:00; everything happens before it, and events of ``today`` itself happen between
07:00 and 09:00.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import unicodedata
from collections.abc import Callable
from itertools import accumulate
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdesk.db import bulk
from salesdesk.db.models import LostReason, Pipeline, Role, Stage
from salesdesk.domain import defaults
from salesdesk.errors import RuleError
from salesdesk.services.demo.tables import (
    ACTIVITY_NOTES,
    BIG_CITIES,
    BRANCHES,
    COMPANY_DOMAIN,
    CONTACT_TITLES,
    COUNTRIES,
    CURRENCY,
    DEAL_NOTES,
    EXPENSES,
    FOREIGN,
    GENERIC_WORK,
    HOME_CITIES,
    LOST_NOTES,
    LOST_WEIGHTS,
    NAMES,
    PRODUCTS,
    SECTORS,
    SERIES_WEIGHT,
    STAGE_WORK,
    STEMS,
    TITLES_BY_SERIES,
)
from salesdesk.services.demo.writer import MODELS

NOW_MINUTE = 9 * 60  # the demo's "now" is today at 09:00
DAY = 1440
WINDOW_DAYS = 365  # deals are created over the last twelve months
NOTE_WEEKS = 8  # "My week" notes for the last eight full weeks
# A deal's stay in a stage is the sum of two exponential halves, each about this share
# of the days after which the stage calls it stale: most deals move on in time, some don't.
DWELL = 0.4
TREND = 1.0  # the company grows: a deal a day a year ago, three a day now (relative)

_ASCII = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i", "æ": "ae", "œ": "oe",
                        "'": "", " ": "", "’": ""})


def slug(text: str) -> str:
    text = text.translate(_ASCII)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "-")


class Pipe:
    """A pipeline as the simulation needs it: stage ids, chances and dwell times."""

    def __init__(self, pid: int, stages: list[tuple[int, str, int, int | None, bool]]):
        self.id = pid
        self.stage_ids = [s[0] for s in stages]
        self.names = [s[1] for s in stages]
        self.probability = [s[2] for s in stages]
        self.is_won = [s[4] for s in stages]
        won = [i for i, s in enumerate(stages) if s[4]]
        self.won = won[0]
        self.after = won[1] if len(won) > 1 else None  # "After Sales" follows a won deal
        # A stage's typical stay is well within the time after which it counts as stale.
        self.dwell = [max(1.0, (s[3] or 14) * DWELL) for s in stages]
        # Early stages lose more deals than late ones.
        self.lose = [0.06 + 0.16 * (1 - s[2] / 100) for s in stages]
        self.work = [STAGE_WORK.get(s[1], GENERIC_WORK) for s in stages]


PAD = 400  # days of cached dates before the first day of the year of deals (hire dates are older)


class CompanyYear:
    """The demo company's year: builds every row as a tuple, table by table (``rows``), and
    the deals chunk by chunk (``deal_rows``), for ``loading`` to write as they come.

    ``raw_sqlite``: dates and times as the text SQLite stores (``db.bulk``), else Python values.
    """

    def __init__(self, seed: int, n_deals: int, today: dt.date, progress: Callable[[str], None] | None,
                 raw_sqlite: bool):
        self.rng = random.Random(seed)
        self.n_deals = n_deals
        self.today = today
        self.progress = progress or (lambda message: None)
        self.raw = raw_sqlite
        self.start = today - dt.timedelta(days=WINDOW_DAYS - 1)  # day 0 of the simulation
        self.today_i = WINDOW_DAYS - 1
        self.now = self.today_i * DAY + NOW_MINUTE
        self.start_wd = self.start.weekday()
        self.rows: dict[str, list[tuple]] = {}
        # Days and minutes as the database stores them: SQLAlchemy's SQLite text formats
        # when writing straight to the driver, Python values otherwise.
        first = self.start - dt.timedelta(days=PAD)
        days = [first + dt.timedelta(days=i) for i in range(PAD + WINDOW_DAYS + 200)]
        self._dates = days
        # Text on the raw path, dates, datetimes and timedeltas otherwise: what ``ts`` and
        # ``date`` hand out is whatever the writer stores.
        out_days: list[Any]
        day_stamps: list[Any]
        minutes: list[Any]
        if raw_sqlite:
            # A stamp is the text of its day and of its minute: both cut from db.bulk's
            # stored form, so the hot loops join two cached strings.
            out_days = [bulk.sqlite_date(d) for d in days]
            midnight = dt.datetime.combine(first, dt.time())
            cut = bulk.sqlite_stamp(midnight).index(" ") + 1  # the day's part ends at the space
            day_stamps = [bulk.sqlite_stamp(dt.datetime.combine(d, dt.time()))[:cut] for d in days]
            minutes = [bulk.sqlite_stamp(midnight + dt.timedelta(minutes=m))[cut:] for m in range(DAY)]
        else:
            out_days = days
            day_stamps = [dt.datetime.combine(d, dt.time()) for d in days]
            minutes = [dt.timedelta(minutes=m) for m in range(DAY)]
        self._out_days = out_days

        def ts(minute: int, _days=day_stamps, _minutes=minutes):
            day, rest = divmod(minute, DAY)
            return _days[day + PAD] + _minutes[rest]

        def date(day: int, _days=out_days):
            return _days[day + PAD]

        self.ts, self.date = ts, date
        # The same, from day 0 on, for the hot loops (deals never happen before day 0).
        self.day_stamps, self.minute_stamps, self.out_days = day_stamps[PAD:], minutes, out_days[PAD:]

    # ------------------------------------------------------------------ time helpers

    def day_date(self, day: int) -> dt.date:
        """The calendar date of a day number (for reasoning, not for writing)."""
        return self.start + dt.timedelta(days=day)

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def out_date(self, date: dt.date) -> str | dt.date:
        return bulk.sqlite_date(date) if self.raw else date

    def weekday(self, day: int) -> int:
        return (self.start_wd + day) % 7

    def at(self, day: int, after: int) -> int:
        """A working-hours minute of ``day`` strictly after the minute ``after``."""
        rnd = self.rng.random
        if day == self.today_i:
            minute = day * DAY + 420 + int(rnd() * 90)
        else:
            minute = day * DAY + 480 + int(rnd() * 570)
        if minute <= after:
            minute = after + 1 + int(rnd() * 40)
        return minute

    # ------------------------------------------------------------------ reference data

    def load_reference(self, s: Session) -> None:
        roles = s.execute(select(Role.id, Role.name, Role.rank).order_by(Role.rank)).all()
        if len(roles) < 6:
            raise RuleError("The demo company needs the six roles of the sales ladder")
        by_name = {name: rid for rid, name, _ in roles}
        self.role = {key: by_name.get(name, roles[i][0]) for i, (key, name) in
                     enumerate(zip(("vp", "dir", "sm", "bm", "tl", "sp"), defaults.DEFAULT_ROLES, strict=True))}
        pipes = s.execute(select(Pipeline.id, Pipeline.name).order_by(Pipeline.position, Pipeline.id)).all()
        stages = s.execute(
            select(Stage.pipeline_id, Stage.id, Stage.name, Stage.probability, Stage.stale_days, Stage.is_won)
            .order_by(Stage.pipeline_id, Stage.position, Stage.id)
        ).all()
        by_pipe: dict[int, list] = {}
        for pid, sid, name, prob, stale, won in stages:
            by_pipe.setdefault(pid, []).append((sid, name, prob, stale, bool(won)))
        # A pipeline fits when it starts with an open stage and has a won stage.
        usable = {name: pid for pid, name in pipes
                  if len(by_pipe.get(pid, ())) >= 2 and not by_pipe[pid][0][4] and any(x[4] for x in by_pipe[pid])}
        if not usable:
            raise RuleError("The demo company needs a pipeline with open stages and a won stage")
        main = usable.get(defaults.DEFAULT_PIPELINE, next(iter(usable.values())))
        renew = usable.get(defaults.RENEWALS_PIPELINE)
        if renew is None or renew == main:
            renew = next((pid for pid in usable.values() if pid != main), None)
        self.main = Pipe(main, by_pipe[main])
        self.renew = Pipe(renew, by_pipe[renew]) if renew is not None else None
        reasons = s.execute(select(LostReason.id, LostReason.name).where(LostReason.active.is_(True))
                            .order_by(LostReason.position, LostReason.id)).all()
        if not reasons:
            raise RuleError("The demo company needs at least one lost reason")
        self.reasons = [(int(rid), str(name)) for rid, name in reasons]
        self.reason_cum = list(accumulate(LOST_WEIGHTS.get(name, 5) for _, name in self.reasons))
        self.ids = {m.__tablename__: (s.scalar(select(func.max(m.id))) or 0) + 1 for m in MODELS}

    # ------------------------------------------------------------------ people

    def name(self, origin: str, used: set[str], foreign: float = 0.2) -> tuple[str, str]:
        rng = self.rng
        for _ in range(500):
            pool = NAMES[rng.choice(FOREIGN)] if rng.random() < foreign else NAMES[origin]
            first, last = rng.choice(pool[0]), rng.choice(pool[1])
            key = f"{slug(first)}.{slug(last)}"
            if key not in used:
                used.add(key)
                return first, last
        raise RuntimeError("ran out of names")  # pragma: no cover - a few names among thousands

    def build_people(self) -> None:
        self.progress("People")
        rng, ids = self.rng, self.ids
        branches, people = [], []
        used: set[str] = set()
        self.branch_ids: dict[str, int] = {}
        self.branch_city: dict[int, str] = {}
        self.person_branch: dict[int, int] = {}
        self.person_name: dict[int, str] = {}
        self.manager: dict[int, int | None] = {}
        self.hire_day: dict[int, int] = {}
        self.leave_day: dict[int, int] = {}
        self.role_of: dict[int, str] = {}
        self.sellers: list[int] = []  # people who own deals: salespeople and team leaders
        self.branch_people: dict[int, list[int]] = {}
        crm_start = -14  # SalesDesk came in two weeks before the first deal of the year
        phones: dict[int, str] = {}
        for i, (name, city, region, _origin, phone, _teams, _direct) in enumerate(BRANCHES):
            bid = ids["branches"] + i
            branches.append((bid, name, city, region, True))
            self.branch_ids[name] = bid
            self.branch_city[bid] = city
            phones[bid] = phone
        next_id = [ids["people"]]

        def add(role: str, manager: int | None, branch: int, origin: str, hired: int, leave: int | None = None,
                foreign: float = 0.22) -> int:
            pid = next_id[0]
            next_id[0] += 1
            first, last = self.name(origin, used, foreign)
            day = max(hired, crm_start)
            created = self.at(day, day * DAY)
            if role in ("vp", "dir", "sm") or rng.random() < 0.5:  # a mobile number
                phone = f"{phones[branch].split(' ')[0]} 7{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
            else:
                phone = f"{phones[branch]} {rng.randint(0, 9999):04d}"
            updated = created if leave is None else self.at(leave, leave * DAY)
            people.append((
                pid, f"{first} {last}", f"{slug(first)}.{slug(last)}@{COMPANY_DOMAIN}", phone,
                self.out_date(self.day_date(hired)), leave is None, self.role[role], manager, branch,
                self.ts(created), self.ts(updated), 1 if leave is None else 2,
            ))
            self.person_branch[pid] = branch
            self.person_name[pid] = f"{first} {last}"
            self.manager[pid] = manager
            self.hire_day[pid] = hired
            self.role_of[pid] = role
            self.branch_people.setdefault(branch, []).append(pid)
            if leave is not None:
                self.leave_day[pid] = leave
            if role in ("sp", "tl"):
                self.sellers.append(pid)
            return pid

        def veteran(low: float, high: float) -> int:  # hired ``low`` to ``high`` years before day 0
            return -int(rng.uniform(low, high) * 365) - 30

        b = self.branch_ids
        vp = add("vp", None, b["London"], "uk", veteran(6, 11), foreign=0.3)
        dir_uk = add("dir", vp, b["London"], "uk", veteran(4, 9))
        dir_eu = add("dir", vp, b["Berlin"], "de", veteran(4, 9))
        sm_uk = add("sm", dir_uk, b["Manchester"], "uk", veteran(3, 8))
        sm_dach = add("sm", dir_eu, b["Berlin"], "de", veteran(3, 8))
        sm_west = add("sm", dir_eu, b["Amsterdam"], "nl", veteran(3, 8))
        # Lyon's branch manager reports straight to the director: skipping a level is allowed.
        bm_manager = {"London": sm_uk, "Manchester": sm_uk, "Berlin": sm_dach, "Lyon": dir_eu, "Amsterdam": sm_west}
        # Two salespeople left during the year (their team leader took over their open
        # deals); each was replaced a few weeks later.
        leavers = {("Manchester", 0): 150 + rng.randint(0, 30), ("Berlin", 1): 215 + rng.randint(0, 30)}
        self.branch_managers: list[int] = []
        for name, _city, _region, origin, _phone, teams, direct in BRANCHES:
            bid = b[name]
            bm = add("bm", bm_manager[name], bid, origin, veteran(2, 8))
            self.branch_managers.append(bm)
            for t, size in enumerate(teams):
                tl = add("tl", bm, bid, origin, veteran(1.5, 7))
                leave = leavers.get((name, t))
                for k in range(size):
                    if leave is not None and k == size - 1:
                        add("sp", tl, bid, origin, veteran(1.5, 5), leave=leave)
                        add("sp", tl, bid, origin, leave + rng.randint(10, 35))  # the replacement
                    else:
                        add("sp", tl, bid, origin, veteran(0.3, 6))
            for _ in range(direct):
                add("sp", bm, bid, origin, veteran(0.5, 6))
        # Rows are in org-chart order: every manager comes before their reports.
        self.rows["branches"] = branches
        self.rows["people"] = people
        self.children: dict[int, list[int]] = {}
        for pid, mid in self.manager.items():
            if mid is not None:
                self.children.setdefault(mid, []).append(pid)

        # Who may get a new deal on which day: epochs between hires and departures.
        self.volume = {p: rng.uniform(0.6, 1.6) * (0.5 if self.role_of[p] == "tl" else 1.0) for p in self.sellers}
        self.loss_factor = {p: rng.uniform(0.8, 1.25) for p in self.sellers}
        points = sorted({0, *(max(0, self.hire_day[p]) for p in self.sellers),
                         *(max(0, d - 20) for d in self.leave_day.values())})
        self.epoch_start = points
        self.epochs = []
        for day in points:
            owners = [p for p in self.sellers if self.hire_day[p] <= day
                      and (p not in self.leave_day or day < self.leave_day[p] - 20)]
            self.epochs.append((owners, list(accumulate(self.volume[p] for p in owners))))

    def subtree(self, root: int) -> list[int]:
        found, stack = [], [root]
        while stack:
            pid = stack.pop()
            found.append(pid)
            stack.extend(reversed(self.children.get(pid, ())))
        return found

    # ------------------------------------------------------------------ customers and products

    def build_accounts(self) -> None:
        self.progress("Accounts")
        rng, ids = self.rng, self.ids
        n = min(2000, max(150, 120 + int(self.n_deals * 0.15)))
        places, weights = [], []
        for country, (cc, tld, legal, origin, cities) in COUNTRIES.items():
            for city, area, branch in cities:
                places.append((country, city, area, self.branch_ids[branch], cc, tld, legal, origin))
                w = 5.0 if city in HOME_CITIES else 2.0 if city in BIG_CITIES else 1.0
                if country in ("Austria", "Switzerland", "Spain", "Italy", "Denmark", "Sweden", "Ireland"):
                    w *= 0.6
                weights.append(w)
        place_cum = list(accumulate(weights))
        sectors = list(SECTORS)
        sector_cum = list(accumulate(SECTORS[s][0] for s in sectors))
        surnames = [last for key in ("uk", "de", "fr", "nl", "be") for last in NAMES[key][1] if " " not in last]
        account_managers: dict[int, list[int]] = {}
        for pid in self.sellers:
            if pid not in self.leave_day:
                account_managers.setdefault(self.person_branch[pid], []).append(pid)
        accounts, contacts = [], []
        self.acc_short, self.acc_city, self.acc_sector, self.acc_contacts = [], [], [], []
        self.branch_accounts: dict[int, list[int]] = {}
        self.owner_accounts: dict[int, list[int]] = {}
        seen: set[str] = set()
        contact_id = ids["contacts"]
        for i in range(n):
            country, city, area, bid, cc, tld, legal_forms, origin = places[
                bisect.bisect_left(place_cum, rng.random() * place_cum[-1])]
            sector = sectors[bisect.bisect_left(sector_cum, rng.random() * sector_cum[-1])]
            for attempt in range(60):
                stem = rng.choice(STEMS) if rng.random() < 0.65 else rng.choice(surnames)
                short = f"{stem} {rng.choice(SECTORS[sector][1])}"
                if attempt >= 30:
                    short = f"{short} {city}"
                if short not in seen:
                    break
            seen.add(short)
            domain = f"{slug(short.replace(' & ', '-').replace(' ', '-'))}.{tld}"
            owner = rng.choice(account_managers[bid])
            accounts.append([
                ids["accounts"] + i, f"{short} {rng.choice(legal_forms)}", sector, f"https://www.{domain}",
                f"{cc} {area} {rng.randint(100, 999)} {rng.randint(1000, 9999)}", city, country,
                min(60000, max(5, int(rng.lognormvariate(math.log(220), 1.3)))), owner, None,
            ])
            self.acc_short.append(short)
            self.acc_city.append(city)
            self.acc_sector.append(sector)
            self.branch_accounts.setdefault(bid, []).append(i)
            self.owner_accounts.setdefault(owner, []).append(i)
            mine = []
            used: set[str] = set()
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
                first, last = self.name(origin, used, foreign=0.12)
                contacts.append((contact_id, ids["accounts"] + i, f"{first} {last}", rng.choice(CONTACT_TITLES),
                                 f"{slug(first)}.{slug(last)}@{domain}",
                                 f"{cc} {area} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"))
                mine.append((contact_id, f"{first} {last}"))
                contact_id += 1
            self.acc_contacts.append(mine)
        self.new_accounts = accounts  # rows once their created_at is known, from the deals
        self.rows["contacts"] = contacts

    def build_products(self) -> None:
        self.progress("Products")
        self.products = []  # (id, name, series, price cents, recurring, sold per unit)
        rows = []
        for i, (code, name, series, price, recurring, per_unit) in enumerate(PRODUCTS):
            pid = self.ids["products"] + i
            self.products.append((pid, name, series, price * 100, recurring, per_unit))
            rows.append((pid, name, code, series, price * 100, CURRENCY, True))
        self.rows["products"] = rows
        self.sector_cum: dict[str, list[float]] = {}
        for sector, (_, _, factors) in SECTORS.items():
            self.sector_cum[sector] = list(accumulate(
                SERIES_WEIGHT[series] * factors.get(series, 1.0) * (0.4 if "Enterprise" in name else 1.0)
                for _pid, name, series, _price, _rec, _unit in self.products))
        self.recurring = [i for i, p in enumerate(self.products) if p[4]]
        self.titles = {series: [f"{{a}} – {t}" for t in patterns] for series, patterns in TITLES_BY_SERIES.items()}

    # ------------------------------------------------------------------ deals

    def simulate(self, pipe: Pipe, entry: int, created: int, loss_factor: float) -> tuple[list, int | None]:
        """Move a deal on from ``created`` until it is lost, won (maybe after sales) or it is now.

        Returns the stage events ``[(from index, to index, minute)]`` and the minute the
        deal was lost, or ``None``.  (The hot loop of the demo: ``at`` is inlined.)
        """
        rnd = self.rng.random
        log = math.log
        now, today_i, start_wd = self.now, self.today_i, self.start_wd
        dwell, lose, won, after = pipe.dwell, pipe.lose, pipe.won, pipe.after
        events: list[tuple[int | None, int, int]] = [(None, entry, created)]
        s, t, steps = entry, created, 0
        while True:
            if s >= won:
                if s != won or after is None or rnd() >= 0.5:
                    return events, None
                days = 10 + 50 * rnd()
                ns = after  # a won deal moves on to after sales
            else:
                days = -log((1.0 - rnd()) * (1.0 - rnd())) * dwell[s]  # a stay of two exponential halves
                if rnd() < 0.05:
                    days *= 3 + 5 * rnd()  # the deal nobody touches for weeks
            day = t // DAY + int(days)
            wd = (start_wd + day) % 7
            if wd >= 5 and rnd() < 0.92:
                day += 7 - wd  # Monday, not the weekend
            if day > today_i:
                return events, None
            nt = day * DAY + (420 + int(rnd() * 90) if day == today_i else 480 + int(rnd() * 570))
            if nt <= t:
                nt = t + 1 + int(rnd() * 40)
            if nt > now:
                return events, None
            if s >= won:
                events.append((s, ns, nt))
                return events, None
            if rnd() < lose[s] * loss_factor:
                return events, nt
            r = rnd()
            if r < 0.03 and s > entry and steps < 12:
                ns = s - 1  # back a step: the customer wants to revisit
            elif r < 0.09 and s + 2 < won:
                ns = s + 2  # a step skipped
            else:
                ns = s + 1
            events.append((s, ns, nt))
            s, t, steps = ns, nt, steps + 1

    def scripted(self, pipe: Pipe, entry: int, created: int, end_day: int, won: bool) -> tuple[list, int | None]:
        """A deal won, or lost, on ``end_day`` (after ``created``'s day): recent weeks always have both."""
        rng = self.rng
        last = pipe.won if won else entry + int(rng.random() * (pipe.won - entry))
        path = list(range(entry, last + 1))
        # Moves before the last day; the win is the move of the last day, a loss is no move.
        early = len(path) - 2 if won else len(path) - 1
        days = sorted(rng.randint(created // DAY, end_day - 1) for _ in range(early))
        events: list[tuple[int | None, int, int]] = [(None, entry, created)]
        t = created
        for i, day in enumerate(days):
            t = self.at(day, t)
            events.append((path[i], path[i + 1], t))
        final = self.at(end_day, t)
        if won:
            events.append((path[-2], path[-1], final))
            return events, None
        return events, final

    def plan_deals(self) -> None:
        """Who sells to whom, when: each deal's start, in the order of the deal ids."""
        self.progress("Deals")
        rng = self.rng
        rnd = rng.random
        n, today_i, now = self.n_deals, self.today_i, self.now
        # Deals are created on weekdays, a little more often as the year goes on.
        day_cum = list(accumulate(
            (1.0 if self.weekday(d) < 5 else 0.06 if self.weekday(d) == 5 else 0.03)
            * (1 - TREND / 2 + TREND * d / WINDOW_DAYS) for d in range(WINDOW_DAYS)))
        # The recent weeks get a new deal, a win and a loss each, this week first.
        this_monday = today_i - self.weekday(today_i)
        script = []
        for w in range(NOTE_WEEKS + 1):
            monday = this_monday - 7 * w
            workdays = [d for d in range(monday, min(monday + 6, today_i) + 1) if self.weekday(d) < 5]
            for scripted_kind in ("new", "won", "lost"):
                script.append((scripted_kind, workdays or [min(monday + 6, today_i)]))
        script = script[:n]
        epoch_start, epochs = self.epoch_start, self.epochs
        renew, main = self.renew, self.main
        owner_accounts, branch_accounts, person_branch = self.owner_accounts, self.branch_accounts, self.person_branch
        deals = []
        for k in range(n):
            renewal = renew is not None and rnd() < 0.15
            pipe = renew if renew is not None and renewal else main
            kind: str | None = None
            if k < len(script):
                kind, workdays = script[k]
                end_day = workdays[int(rnd() * len(workdays))]
                created_day = end_day if kind == "new" else max(0, end_day - rng.randint(12, 75))
            else:
                created_day = bisect.bisect_left(day_cum, rnd() * day_cum[-1])
            owners, cum = epochs[bisect.bisect_right(epoch_start, created_day) - 1]
            owner = owners[bisect.bisect_left(cum, rnd() * cum[-1])]
            # The customer: mostly one the owner looks after, else one of the branch.
            mine = owner_accounts.get(owner)
            pool = mine if mine and rnd() < 0.6 else branch_accounts[person_branch[owner]]
            account = pool[int(rnd() * len(pool))]
            r = rnd()
            entry = min(0 if renewal or r < 0.7 else 1 if r < 0.9 else 2, pipe.won - 1)
            created = self.at(created_day, created_day * DAY)
            if created > now:
                created = now - 1 - int(rnd() * 60)
            deals.append((created, k, pipe, owner, account, entry, kind, end_day if kind else 0, renewal))
        # Ids follow creation time, as in a database used for a year; how each deal went
        # is simulated later, chunk by chunk, in this order.
        deals.sort(key=lambda d: (d[0], d[1]))
        self.deals = deals
        # Customers were entered shortly before their first deal, or some time in the year.
        first: list[int | None] = [None] * len(self.new_accounts)
        for deal in deals:
            if first[deal[4]] is None:
                first[deal[4]] = deal[0]
        for row, first_deal in zip(self.new_accounts, first, strict=True):
            if first_deal is None:
                day = rng.randint(0, today_i - 1)
                row[-1] = self.ts(self.at(day, day * DAY))
            else:
                day = first_deal // DAY - rng.randint(0, 20)
                row[-1] = self.ts(min(self.at(day, day * DAY), first_deal - 1))
        self.rows["accounts"] = [tuple(row) for row in self.new_accounts]
        # (person, Monday) -> [won, won cents, biggest (account, cents), new, lost, moves, [(account, reason)]]
        self.week_stats: dict[tuple[int, int], list] = {}
        self.won_month: dict[tuple[int, int, int], int] = {}  # (owner, year, month) -> won cents
        self.counts = {"open": 0, "won": 0, "lost": 0}
        self.column: dict[tuple[int, bool], int] = {}  # next position in each stage's column
        self.next_id = {t: self.ids[t] for t in ("deals", "deal_lines", "stage_changes", "activities")}

    def deal_rows(self, deals: list) -> dict[str, list[tuple]]:
        """How ``deals`` (a slice of the plan, in order) went: rows of the deals, their lines,
        history and activities.

        Also gathers what targets and notes need.  Written for speed: 100k deals go
        through here, so helpers are inlined and locals are cached.
        """
        rng = self.rng
        rnd = rng.random
        log, exp, sqrt, cos, tau = math.log, math.exp, math.sqrt, math.cos, math.tau
        day_stamps, minute_stamps, out_days = self.day_stamps, self.minute_stamps, self.out_days
        all_days = self._out_days  # from PAD days before day 0: an expected close may be that early
        now, today_i, start_wd = self.now, self.today_i, self.start_wd
        manager, leave_day = self.manager, self.leave_day
        reasons, reason_cum = self.reasons, self.reason_cum
        products, recurring, sector_cum, titles = self.products, self.recurring, self.sector_cum, self.titles
        short_names = [p[1].replace(" (annual)", "") for p in products]
        acc_base = self.ids["accounts"]
        acc_short, acc_sector, acc_city = self.acc_short, self.acc_sector, self.acc_city
        acc_contacts = self.acc_contacts
        deal_rows, change_rows, line_rows, activity_rows = [], [], [], []
        ids = self.next_id
        deal_id, change_id, line_id, act_id = ids["deals"], ids["stage_changes"], ids["deal_lines"], ids["activities"]
        column, counts, week_stats, won_month = self.column, self.counts, self.week_stats, self.won_month
        recent = (today_i - self.weekday(today_i) - 7 * NOTE_WEEKS) * DAY
        day_date = self._dates[PAD:]
        deal_notes, activity_notes = DEAL_NOTES, ACTIVITY_NOTES
        # Most moves come with the call, meeting or email that led to them; a stress-test
        # company (over 10k deals) logs fewer, so that 100k deals still load in seconds.
        work_rate = 0.75 if self.n_deals <= 10_000 else 0.3

        def stat(person: int, minute: int) -> list:
            day = minute // DAY
            key = (person, day - (start_wd + day) % 7)
            row = week_stats.get(key)
            if row is None:
                row = week_stats[key] = [0, 0, None, 0, 0, 0, []]
            return row

        simulate, scripted, loss_factor = self.simulate, self.scripted, self.loss_factor
        for created, _k, pipe, owner, acc, entry, kind, end_day, renewal in deals:
            if kind is None or kind == "new":
                events, lost_at = simulate(pipe, entry, created, loss_factor[owner])
            else:
                events, lost_at = scripted(pipe, entry, created, end_day, kind == "won")
            stage_ids, is_won = pipe.stage_ids, pipe.is_won
            contacts = acc_contacts[acc]
            contact, contact_name = contacts[int(rnd() * len(contacts))]
            account_id = acc_base + acc
            short = acc_short[acc]

            # Line items: a main product and up to three more, sized to a skewed budget.
            gauss = sqrt(-2.0 * log(1.0 - rnd())) * cos(tau * rnd())
            budget = min(250000.0, max(2000.0, exp(9.6 + gauss)))  # log-normal, median about 15k EUR
            if renewal:
                picks = [recurring[int(rnd() * len(recurring))]]
                if rnd() < 0.4:
                    other = recurring[int(rnd() * len(recurring))]
                    if other != picks[0]:
                        picks.append(other)
            else:
                cum = sector_cum[acc_sector[acc]]
                total_w = cum[-1]
                r = rnd()
                extra = 0 if r < 0.4 else 1 if r < 0.75 else 2 if r < 0.92 else 3
                picks = [bisect.bisect_left(cum, rnd() * total_w)]
                for _ in range(extra):
                    p = bisect.bisect_left(cum, rnd() * total_w)
                    if p not in picks:
                        picks.append(p)
            share = budget * (0.55 + 0.45 * rnd()) if len(picks) > 1 else budget
            rest = (budget - share) / max(1, len(picks) - 1)
            lines, amount = [], 0
            for i, p in enumerate(picks):
                pid, _name, _series, price, _rec, per_unit = products[p]
                part = share if i == 0 else rest
                if per_unit:
                    qty = max(1, min(400, round(part * 100 / price)))
                else:
                    qty = 1 if rnd() < 0.8 else min(5, max(1, round(part * 100 / price)))
                disc = 0 if rnd() < 0.72 else (5, 10, 10, 15, 20)[int(rnd() * 5)]
                lines.append((pid, qty, price, disc))
                amount += qty * price * (100 - disc) // 100
            main_name, main_series = short_names[picks[0]], products[picks[0]][2]
            if renewal:
                title = f"{short} – {main_name} renewal {day_date[created // DAY + 45].year}"
            else:
                patterns = titles[main_series]
                title = patterns[int(rnd() * len(patterns))].format(
                    a=short, p=main_name, q=lines[0][1], city=acc_city[acc])

            _f, s, last_t = events[-1]
            status = "lost" if lost_at is not None else "won" if is_won[s] else "open"
            counts[status] += 1
            if status == "open" and s <= 1 and rnd() < 0.3:
                lines = []  # an early deal often has an estimate only, no line items yet
                amount = max(100000, round(amount / 50000) * 50000)
            end = last_t if lost_at is None else lost_at
            # A salesperson who left handed their open deals to their team leader.
            final_owner, handover = owner, now + 1
            if owner in leave_day and (status == "open" or end > leave_day[owner] * DAY):
                final_owner, handover = manager[owner], leave_day[owner] * DAY

            won_on = lost_on = reason = lost_note = won_t = None
            if status == "won":
                won_t = next(t for _f, to, t in events if is_won[to])
                won_on = out_days[won_t // DAY]
                expected = won_t // DAY + int(rnd() * 46) - 20
                won_date = day_date[won_t // DAY]
                month = (final_owner, won_date.year, won_date.month)
                won_month[month] = won_month.get(month, 0) + amount
            elif lost_at is not None:  # lost
                lost_on = out_days[lost_at // DAY]
                reason, reason_name = reasons[bisect.bisect_left(reason_cum, rnd() * reason_cum[-1])]
                if reason_name == "Other" or rnd() < 0.35:
                    notes = LOST_NOTES.get(reason_name, LOST_NOTES["Other"])
                    lost_note = notes[int(rnd() * len(notes))]
                expected = lost_at // DAY + int(rnd() * 51) - 10
            else:
                expected = today_i + 3 + int(rnd() * 88) if rnd() < 0.82 else today_i - 1 - int(rnd() * 30)
            probability = None
            if status != "won" and rnd() < 0.13:  # the owner's own judgement, shown on the card
                base = pipe.probability[s]
                probability = max(5, min(95, round((base + int(rnd() * 51) - 25) / 5) * 5))
                if probability == base:
                    probability = base + 5 if base <= 90 else base - 5
            key = (stage_ids[s], status == "lost")
            position = column.get(key, 0)
            column[key] = position + 1
            last = max(end, created)
            deal_rows.append((
                deal_id, title, account_id, contact, final_owner, pipe.id, stage_ids[s], amount, CURRENCY,
                probability, all_days[expected + PAD], status, reason, lost_note, won_on, lost_on, float(position),
                day_stamps[last_t // DAY] + minute_stamps[last_t % DAY],
                deal_notes[int(rnd() * len(deal_notes))] if rnd() < 0.08 else None,
                day_stamps[created // DAY] + minute_stamps[created % DAY],
                day_stamps[last // DAY] + minute_stamps[last % DAY], 1,
            ))
            for pid, qty, price, disc in lines:
                line_rows.append((line_id, deal_id, pid, qty, price, disc))
                line_id += 1

            # The history, with the work that led to some of the moves.
            work_by_stage = pipe.work
            prev = created
            prev_stamp = day_stamps[created // DAY] + minute_stamps[created % DAY]
            for f, to, t in events:
                who = owner if t < handover else final_owner
                by = manager[who] if rnd() < 0.15 and manager[who] is not None else who
                stamp = day_stamps[t // DAY] + minute_stamps[t % DAY]
                change_rows.append((change_id, deal_id, None if f is None else stage_ids[f], stage_ids[to], stamp, by))
                change_id += 1
                if f is not None and rnd() < work_rate:
                    work = work_by_stage[f]
                    kind, subject = work[int(rnd() * len(work))]
                    done = t - 5 - int(rnd() * min(2 * DAY, t - prev))
                    if done <= prev:
                        done = prev + 1
                    due = done // DAY
                    if rnd() < 0.15 and due - 1 >= prev // DAY:
                        due -= 1  # done a day late
                    activity_rows.append((
                        act_id, kind, subject.format(c=contact_name, a=short), deal_id, account_id, contact, who,
                        out_days[due], day_stamps[done // DAY] + minute_stamps[done % DAY],
                        activity_notes[int(rnd() * len(activity_notes))] if rnd() < 0.1 else None, prev_stamp))
                    act_id += 1
                if t >= recent:
                    stat(who, t)[3 if f is None else 5] += 1
                prev, prev_stamp = t, stamp
            if won_t is not None and won_t >= recent:
                row = stat(owner if won_t < handover else final_owner, won_t)
                row[0] += 1
                row[1] += amount
                if row[2] is None or amount > row[2][1]:
                    row[2] = (short, amount)
            if lost_at is not None and lost_at >= recent:
                row = stat(owner if lost_at < handover else final_owner, lost_at)
                row[4] += 1
                row[6].append((short, reason_name))

            # What comes next: the last call before losing, or the open deal's next step.
            work = work_by_stage[s]
            if lost_at is not None:  # lost
                if rnd() < 0.4:
                    kind, subject = work[int(rnd() * len(work))]
                    done = max(last_t + 1, lost_at - 30 - int(rnd() * 600))
                    activity_rows.append((
                        act_id, kind, subject.format(c=contact_name, a=short), deal_id, account_id, contact,
                        owner if lost_at < handover else final_owner, out_days[done // DAY],
                        day_stamps[done // DAY] + minute_stamps[done % DAY], None, prev_stamp))
                    act_id += 1
            elif status == "open":
                if rnd() < work_rate and now - last_t > 120:
                    kind, subject = work[int(rnd() * len(work))]
                    done = last_t + 60 + int(rnd() * (now - last_t - 60))
                    activity_rows.append((
                        act_id, kind, subject.format(c=contact_name, a=short), deal_id, account_id, contact,
                        final_owner, out_days[done // DAY], day_stamps[done // DAY] + minute_stamps[done % DAY],
                        None, prev_stamp))
                    act_id += 1
                if rnd() < 0.75:
                    kind, subject = work[int(rnd() * len(work))]
                    r = rnd()
                    if r < 0.15:
                        due = today_i
                    elif r < 0.4:
                        due = max(last_t // DAY, today_i - 1 - int(rnd() * 20))  # overdue, or due today
                    else:
                        due = today_i + 1 + int(rnd() * 25)
                    activity_rows.append((
                        act_id, kind, subject.format(c=contact_name, a=short), deal_id, account_id, contact,
                        final_owner, out_days[due], None, None, prev_stamp))
                    act_id += 1
            deal_id += 1

        ids.update(deals=deal_id, stage_changes=change_id, deal_lines=line_id, activities=act_id)
        return {"deals": deal_rows, "deal_lines": line_rows, "stage_changes": change_rows,
                "activities": activity_rows}

    # ------------------------------------------------------------------ targets

    def months(self) -> list[dt.date]:
        """First days of the months from the first month of deals to the end of this year."""
        out, month = [], self.start.replace(day=1)
        while month.year <= self.today.year:
            out.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return out

    def active_in(self, pid: int, month: dt.date) -> bool:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        if self.day_date(self.hire_day[pid]) >= following:
            return False
        leave = self.leave_day.get(pid)
        return leave is None or self.day_date(leave) > month

    def _target_months(self, rows) -> list[dt.date]:
        return [dt.date.fromisoformat(str(row[3])[:10]) for row in rows]

    def build_targets(self) -> None:
        """Monthly won-revenue targets near what each seller wins; quarterly ones for branch managers."""
        self.progress("Targets")
        rng = self.rng
        months = self.months()
        this_month = self.today.replace(day=1)
        season = {1: 0.9, 3: 1.1, 6: 1.1, 8: 0.75, 9: 1.1, 12: 0.85}
        average: dict[int, float] = {}
        for pid in self.sellers:
            past = [m for m in months if m <= this_month and self.active_in(pid, m)]
            won = sum(self.won_month.get((pid, m.year, m.month), 0) for m in past)
            average[pid] = won / max(1, len(past))
        veterans = sorted(v for p, v in average.items() if self.hire_day[p] < 0 and v > 0)
        typical = veterans[len(veterans) // 2] if veterans else 1_500_000
        rows, tid = [], self.ids["targets"]
        monthly: dict[tuple[int, dt.date], int] = {}
        for pid in self.sellers:
            hired = self.day_date(self.hire_day[pid])
            for month in months:
                if not self.active_in(pid, month):
                    continue
                if self.hire_day[pid] >= 0:  # hired this year: ramping up
                    k = (month.year - hired.year) * 12 + month.month - hired.month
                    base = typical * (0.8 if self.role_of[pid] == "sp" else 0.5) * min(1.0, 0.35 + 0.2 * k)
                else:
                    base = average[pid] or typical * 0.5
                value = base * rng.uniform(0.85, 1.3) * season.get(month.month, 1.0)
                value = max(300_000, round(value / 100_000) * 100_000)  # whole thousands of euros
                monthly[(pid, month)] = value
                rows.append((tid, pid, "month", self.out_date(month), "won_revenue", value, 1))
                tid += 1
        # A target covers the person's whole team: a team leader's is their own selling
        # target plus their reports' (the branch quarters below add up own figures only).
        teams = {pid: [p for p in self.subtree(pid) if p != pid] for pid in self.sellers}
        rows = [
            (row_id, pid, kind, start, metric,
             value + sum(monthly.get((p, month), 0) for p in teams[pid]), version)
            if teams.get(pid) else (row_id, pid, kind, start, metric, value, version)
            for (row_id, pid, kind, start, metric, value, version), month in zip(rows, self._target_months(rows))
        ]
        quarters = sorted({m.replace(month=(m.month - 1) // 3 * 3 + 1) for m in months})
        for bm in self.branch_managers:
            team = self.subtree(bm)
            for quarter in quarters:
                following = (quarter + dt.timedelta(days=95)).replace(day=1)
                total = sum(monthly.get((p, m), 0) for p in team for m in months if quarter <= m < following)
                if total:
                    value = round(total * rng.uniform(1.0, 1.08) / 1_000_000) * 1_000_000  # tens of thousands
                    rows.append((tid, bm, "quarter", self.out_date(quarter), "won_revenue", value, 1))
                    tid += 1
        self.rows["targets"] = rows

    # ------------------------------------------------------------------ "My week"

    def build_notes(self) -> None:
        self.progress("Weekly notes")
        rng = self.rng
        today_i = self.today_i
        this_monday = today_i - self.weekday(today_i)
        mondays = [this_monday - 7 * w for w in range(NOTE_WEEKS, 0, -1)]
        if self.weekday(today_i) >= 3:  # from Thursday on, some have written this week's already
            mondays.append(this_monday)
        rows, nid = [], self.ids["weekly_notes"]
        for monday in mondays:
            current = monday == this_monday
            for person in self.rows["people"]:
                pid = person[0]
                if pid in self.leave_day or self.hire_day[pid] > monday + 2:
                    continue
                role = self.role_of[pid]
                chance = (0.9 if role in ("sp", "tl") else 0.75 if role in ("bm", "sm") else 0.55) * (
                    0.4 if current else 1.0)
                if rng.random() >= chance:
                    continue
                text = self.seller_note(pid, monday) if role in ("sp", "tl") else self.manager_note(pid, monday)
                if current:
                    written = self.at(today_i - 1, (today_i - 1) * DAY)
                else:
                    written = (monday + (4 if rng.random() < 0.8 else 3)) * DAY + 15 * 60 + int(rng.random() * 180)
                rows.append((nid, pid, self.date(monday), text, self.ts(written)))
                nid += 1
        self.rows["weekly_notes"] = rows

    def week(self, pids: list[int], monday: int) -> list:
        """The ``week_stats`` row of ``pids`` together (the biggest deal of them all)."""
        total: list[Any] = [0, 0, None, 0, 0, 0, []]
        for pid in pids:
            row = self.week_stats.get((pid, monday))
            if row is None:
                continue
            for i in (0, 1, 3, 4, 5):
                total[i] += row[i]
            if row[2] is not None and (total[2] is None or row[2][1] > total[2][1]):
                total[2] = row[2]
            total[6].extend(row[6])
        return total

    def seller_note(self, pid: int, monday: int) -> str:
        rng = self.rng
        won, cents, top, new, _lost, moves, losses = self.week([pid], monday)
        parts = []
        if won == 1:
            parts.append(rng.choice(("Closed {a} ({m}).", "Signed {a} – {m}.", "Good news: {a} signed ({m}).")
                                    ).format(a=top[0], m=eur(top[1])))
        elif won > 1:
            parts.append(rng.choice(("Won {n} deals for {m} in total; the biggest was {a}.",
                                     "{n} deals closed ({m}), led by {a}.")).format(n=won, m=eur(cents), a=top[0]))
        elif moves:
            parts.append(f"Nothing signed this week, but {moves} deal{'s' if moves > 1 else ''} moved forward.")
        else:
            parts.append(rng.choice(("Quiet week for closings.", "No signatures this week.")))
        if new:
            source = rng.choice(("referrals", "the webinar", "inbound enquiries", "cold calling", "the trade fair",
                                 "existing customers"))
            parts.append(f"Opened {new} new opportunit{'ies' if new > 1 else 'y'}, mostly from {source}.")
        elif rng.random() < 0.5:
            parts.append("No new leads; more prospecting next week.")
        if losses:
            account, reason = losses[0]
            parts.append(rng.choice(("Lost {a} ({r}).", "{a} will not go ahead – {r}.")).format(
                a=account, r=reason.lower()))
        mine = self.owner_accounts.get(pid) or self.branch_accounts[self.person_branch[pid]]
        account = self.acc_short[rng.choice(mine)]
        parts.append("Next week: " + rng.choice((
            f"proposal for {account}.", f"demo at {account}.", "follow up on the deals that went quiet.",
            "two discovery meetings.", f"push {account} to sign before month end.",
            f"visit customers around {self.branch_city[self.person_branch[pid]]}.", "prepare the quarterly reviews.",
        )))
        if rng.random() < 0.35:
            parts.append(rng.choice((
                "Customers ask more about integrations than last quarter.",
                f"Pricing pressure from competitors in {self.acc_sector[rng.choice(mine)].lower()}.",
                "Out on Friday.", "Trade fair preparation took most of Wednesday.",
                "Decisions take longer: more of them go to the board.", "Pipeline cleaned up, all deals current.",
            )))
        return " ".join(parts)

    def manager_note(self, pid: int, monday: int) -> str:
        rng = self.rng
        team = self.subtree(pid)
        won, cents, top, new, lost, moves, _losses = self.week(team, monday)
        scope = {"vp": "Company", "dir": "Region", "sm": "Area"}.get(self.role_of[pid], "Branch")
        parts = [f"{scope}: {won} won ({eur(cents)}), {new} new, {lost} lost, {moves} stage moves."]
        if top is not None:
            parts.append(f"Best deal of the week: {top[0]} ({eur(top[1])}).")
        if len(team) > 2:
            coached = self.person_name[rng.choice(team[1:])].split(" ")[0]
            parts.append(rng.choice((
                f"Joined {coached} on a customer visit.", f"Coaching session with {coached} on negotiation.",
                "Pipeline review with the team on Monday.", "Went through the stale deals one by one.",
            )))
        parts.append("Focus next week: " + rng.choice((
            "proposals waiting for an answer.", "the month-end forecast.", "getting stale deals moving or closed.",
            "the target split for next quarter.", "interviews for the open position.", "renewals coming up.",
        )))
        return " ".join(parts)

    # ------------------------------------------------------------------ budgets

    def build_budgets(self) -> None:
        self.progress("Budgets")
        rng = self.rng
        budgets, expenses = [], []
        budget_id = self.ids["budgets"]
        this_month = self.today.replace(day=1)
        weights = [e[1] for e in EXPENSES]
        for bid, *_branch in self.rows["branches"]:
            members = self.branch_people[bid]
            accounts = self.branch_accounts.get(bid) or [0]
            monthly = len(members) * 450 + 800
            for month in self.months():
                if month > this_month:
                    break
                amount = round(monthly * rng.uniform(0.9, 1.1), -2) * 100
                budgets.append((budget_id, bid, "month", self.out_date(month), amount))
                budget_id += 1
                first = max(0, self.day_of(month))
                last = min(self.day_of((month + dt.timedelta(days=32)).replace(day=1)) - 1, self.today_i)
                days = [d for d in range(first, last + 1) if self.weekday(d) < 5]
                for _ in range(int(len(members) * rng.uniform(0.8, 1.4) * len(days) / 21)):
                    category, _w, items = rng.choices(EXPENSES, weights)[0]
                    who, day = rng.choice(members), rng.choice(days)
                    if self.hire_day[who] > day or day >= self.leave_day.get(who, day + 1):
                        continue
                    text, low, high = rng.choice(items)
                    text = text.format(city=self.acc_city[rng.choice(accounts)],
                                       acct=self.acc_short[rng.choice(accounts)])
                    expenses.append([day, bid, who, category, text, int(rng.uniform(low, high) * 100)])
        expenses.sort(key=lambda e: e[0])  # stable: same day keeps the order written
        self.rows["budgets"] = budgets
        self.rows["expenses"] = [(self.ids["expenses"] + i, bid, who, self.date(day), category, text, cents)
                                 for i, (day, bid, who, category, text, cents) in enumerate(expenses)]

def eur(cents: int) -> str:
    return f"{cents / 100:,.0f} {CURRENCY}"

"""``salesdesk check``: is the file sound, and does the data keep the domain rules?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

# Each query returns rows that break one rule; the message formats one row.
RULES: tuple[tuple[str, str], ...] = (
    (
        "SELECT count(*) FROM people WHERE manager_id IS NULL AND active HAVING count(*) <> 1",
        "the organisation has {0} people at the top; it needs exactly one",
    ),
    (
        "SELECT p.name, m.name FROM people p JOIN people m ON m.id = p.manager_id "
        "JOIN roles pr ON pr.id = p.role_id JOIN roles mr ON mr.id = m.role_id "
        "WHERE p.active AND mr.rank >= pr.rank",
        "{1} manages {0} without holding a more senior role",
    ),
    (
        "SELECT p.name, m.name FROM people p JOIN people m ON m.id = p.manager_id "
        "WHERE p.active AND NOT m.active",
        "{0} reports to {1}, who is no longer active",
    ),
    (
        "SELECT d.id, d.title FROM deals d JOIN stages s ON s.id = d.stage_id WHERE s.pipeline_id <> d.pipeline_id",
        "deal #{0} “{1}” sits in a stage of another pipeline",
    ),
    (
        "SELECT d.id, d.title FROM deals d JOIN stages s ON s.id = d.stage_id "
        "WHERE (d.status = 'won') <> s.is_won AND d.status <> 'lost'",
        "deal #{0} “{1}” has a status that does not match its stage",
    ),
    (
        "SELECT d.id, d.title FROM deals d WHERE d.status = 'won' AND d.won_on IS NULL",
        "deal #{0} “{1}” is won but has no date won",
    ),
    (
        "SELECT d.id, d.title FROM deals d WHERE d.stage_id IS NOT (SELECT c.to_stage_id FROM stage_changes c "
        "WHERE c.deal_id = d.id ORDER BY c.changed_at DESC, c.id DESC LIMIT 1) "
        "AND EXISTS (SELECT 1 FROM stage_changes c WHERE c.deal_id = d.id)",
        "deal #{0} “{1}” is not in the stage its history ends in",
    ),
)


def cycle_problems(session: Session) -> list[str]:
    managers = {row[0]: row[1] for row in session.execute(text("SELECT id, manager_id FROM people"))}
    problems, cleared = [], set()
    for start in managers:
        path, current = [], start
        while current is not None and current not in cleared:
            if current in path:
                problems.append(f"people #{current} manage each other in a cycle")
                break
            path.append(current)
            current = managers.get(current)
        cleared.update(path)
    return problems


def rule_problems(session: Session, limit: int = 20) -> list[str]:
    problems: list[str] = []
    for query, message in RULES:
        rows = session.execute(text(query)).fetchmany(limit)
        problems.extend(message.format(*row) for row in rows)
    return problems + cycle_problems(session)

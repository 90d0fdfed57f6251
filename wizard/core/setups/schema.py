"""The state database's tables, version by version (`database.StateDatabase` applies them
in order, each version once): the verification history (`history.py`), what each domain
served at its last pass (`served.py`), the messages claimed (`wizard.core.watch.notify`), and
the journal of Managed Apple Account writes (`wizard.core.linking`, listed by
`link_history.py`). A new version is appended, never edited: databases in the field are at
every version already released.
"""

from __future__ import annotations

# Each version's statements (see StateDatabase): version 1 is the history.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE IF NOT EXISTS runs (
            id INTEGER PRIMARY KEY,
            setup TEXT NOT NULL,
            at TEXT NOT NULL,
            ok INTEGER NOT NULL,
            conditions TEXT NOT NULL DEFAULT '[]',
            legacy_key TEXT UNIQUE
        )""",
        "CREATE INDEX IF NOT EXISTS runs_by_setup ON runs (setup, at, id)",
        "CREATE INDEX IF NOT EXISTS passing_runs_by_setup ON runs (setup, at, id) WHERE ok = 1",
        """CREATE TABLE IF NOT EXISTS results (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            domain TEXT NOT NULL,
            ok INTEGER NOT NULL,
            failure TEXT,
            checks TEXT NOT NULL,
            PRIMARY KEY (run_id, position)
        )""",
        """CREATE TABLE IF NOT EXISTS latest (
            setup TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            results TEXT NOT NULL
        )""",
        # Kept by triggers, so "runs kept" is one row to read, not a count over the history.
        "CREATE TABLE IF NOT EXISTS run_counts (setup TEXT PRIMARY KEY, runs INTEGER NOT NULL)",
        """CREATE TRIGGER IF NOT EXISTS count_added AFTER INSERT ON runs BEGIN
            INSERT OR IGNORE INTO run_counts (setup, runs) VALUES (NEW.setup, 0);
            UPDATE run_counts SET runs = runs + 1 WHERE setup = NEW.setup;
        END""",
        """CREATE TRIGGER IF NOT EXISTS count_removed AFTER DELETE ON runs BEGIN
            UPDATE run_counts SET runs = runs - 1 WHERE setup = OLD.setup;
        END""",
        """CREATE TRIGGER IF NOT EXISTS count_renamed AFTER UPDATE OF setup ON runs BEGIN
            UPDATE run_counts SET runs = runs - 1 WHERE setup = OLD.setup;
            INSERT OR IGNORE INTO run_counts (setup, runs) VALUES (NEW.setup, 0);
            UPDATE run_counts SET runs = runs + 1 WHERE setup = NEW.setup;
        END""",
    ),
    # Version 2: what each domain served when it last passed, and the changes of state
    # whose message a run has claimed (a change is claimed once, whatever runs at once).
    (
        """CREATE TABLE IF NOT EXISTS served (
            setup TEXT NOT NULL,
            domain TEXT NOT NULL,
            conditions TEXT NOT NULL,
            at TEXT NOT NULL,
            target TEXT,
            digest TEXT NOT NULL,
            document TEXT,
            PRIMARY KEY (setup, domain, conditions)
        )""",
        # `after_run` is the run the state changed from: two runs that both see the same
        # change (the same run before them) cannot both claim it.
        """CREATE TABLE IF NOT EXISTS notified (
            after_run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            domain TEXT NOT NULL,
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            PRIMARY KEY (after_run, domain)
        )""",
        "CREATE INDEX IF NOT EXISTS notified_by_run ON notified (run_id)",
    ),
    # Version 3: runs that say nothing about the domains (this machine could not resolve
    # names). Older runs read as known, as they were recorded.
    (
        "ALTER TABLE runs ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE results ADD COLUMN unknown INTEGER NOT NULL DEFAULT 0",
    ),
    # Version 4: the journal of Managed Apple Account writes (`wizard.core.linking`): each
    # plan applied or undone (with its JSON, so an interrupted one can be resumed), each run
    # of one, and each write, recorded before it is sent and again once it is answered
    # (`outcome` NULL: sent, answer unknown). Read for `history` by `link_history.py`.
    (
        """CREATE TABLE IF NOT EXISTS link_plans (
            plan_id TEXT PRIMARY KEY,
            setup TEXT,
            org_id TEXT NOT NULL,
            api_url TEXT NOT NULL,
            created_at TEXT NOT NULL,
            plan TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS link_runs (
            id INTEGER PRIMARY KEY,
            plan_id TEXT NOT NULL REFERENCES link_plans (plan_id),
            setup TEXT,
            operation TEXT NOT NULL CHECK (operation IN ('apply', 'undo')),
            plan_file TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            skipped INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX IF NOT EXISTS link_runs_by_setup ON link_runs (setup, started_at, id)",
        """CREATE TABLE IF NOT EXISTS link_writes (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES link_runs (id),
            plan_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            operation TEXT NOT NULL CHECK (operation IN ('apply', 'undo')),
            before TEXT NOT NULL,
            after TEXT NOT NULL,
            at TEXT NOT NULL,
            answered_at TEXT,
            outcome TEXT,
            status INTEGER,
            answer TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS link_writes_by_plan ON link_writes (plan_id, user_id, id)",
        "CREATE INDEX IF NOT EXISTS link_writes_by_run ON link_writes (run_id, outcome)",
    ),
)

"""The evaluation workspace: one SQLite file per round, append-only assessment events.

Rules that protect an evaluation:

* every :meth:`Workspace.adjust` is one committed transaction (WAL, ``synchronous=FULL``),
  so a killed kernel loses nothing that returned;
* events are never updated or deleted (triggers refuse it); the current level is derived
  as the latest event, falling back to the self-assessment;
* a level that differs from the self-assessment needs a note; levels outside the
  framework's range are refused;
* ``expected`` (the level the evaluator saw) makes edits conflict-safe: if someone else
  changed it meanwhile, :class:`ConflictError` names who and when, and nothing changes;
* re-importing a changed submission records a new version, never an overwrite.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tomllib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spbe_toolkit.errors import ConflictError, SpbeError, ValidationError
from spbe_toolkit.frameworks import Framework
from spbe_toolkit.frameworks.model import _build as _build_framework
from spbe_toolkit.frameworks.model import list_frameworks

SCHEMA_VERSION = 1
STAGES = ("mandiri", "dokumen", "interviu", "visitasi", "final")
EVALUATOR_STAGES = STAGES[1:]
STAGE_LABELS = {
    "mandiri": "Penilaian Mandiri",
    "dokumen": "Penilaian Dokumen",
    "interviu": "Penilaian Interviu",
    "visitasi": "Penilaian Visitasi",
    "final": "Final",
}

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE instances (
    instance TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    version INTEGER NOT NULL,
    instance_type TEXT, province TEXT, year INTEGER, contact TEXT,
    file TEXT,
    content_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (instance, version)
);
CREATE TABLE submitted_levels (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    indicator TEXT NOT NULL,
    level INTEGER NOT NULL,
    justification TEXT,
    evidence TEXT,
    PRIMARY KEY (submission_id, indicator)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance TEXT NOT NULL REFERENCES instances(instance),
    indicator TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('dokumen', 'interviu', 'visitasi', 'final')),
    level INTEGER NOT NULL,
    evaluator TEXT NOT NULL CHECK (length(trim(evaluator)) > 0),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    supersedes INTEGER REFERENCES events(id)
);
CREATE INDEX events_by_cell ON events (instance, indicator, id);
CREATE INDEX submissions_by_instance ON submissions (instance, version);
"""
_APPEND_ONLY = ("events", "submissions", "submitted_levels")
_TRIGGERS = "".join(
    f"""
CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} BEGIN SELECT RAISE(ABORT, '{t} are append-only'); END;
CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN SELECT RAISE(ABORT, '{t} are append-only'); END;
"""
    for t in _APPEND_ONLY
)

# from_version → callable(conn) upgrading the schema by one version, run in one transaction
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _framework_text(framework: str | Path) -> tuple[str, str]:
    """(TOML text, source label) of a built-in framework name or a framework file."""
    if isinstance(framework, str) and framework in list_frameworks():
        text = (resources.files("spbe_toolkit.frameworks") / f"{framework}.toml").read_text(encoding="utf-8")
        return text, f"{framework} (built-in)"
    path = Path(framework)
    if not path.is_file():
        raise ValidationError(
            f"Unknown framework {framework!r}: not a built-in name ({', '.join(list_frameworks())}) and no such file."
        )
    return path.read_text(encoding="utf-8"), str(path)


class Workspace:
    """An evaluation round stored in one SQLite file. Use :meth:`create` or :meth:`open`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, fw: Framework, meta: dict[str, str]) -> None:
        self.path = path
        self._conn = conn
        self.framework = fw
        self.meta = meta
        self.clock: Callable[[], str] = _now  # replaceable in tests for deterministic output

    # ------------------------------------------------------------------ opening
    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @classmethod
    def create(
        cls,
        path: str | Path,
        framework: str | Path = "spbe2020",
        year: int | None = None,
        predicate_basis: str = "exact",
        *,
        title: str = "",
        team: str = "",
    ) -> Workspace:
        """Create a new workspace file. Refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists():
            raise SpbeError(f"{path}: already exists; open it with Workspace.open() instead of overwriting it")
        if predicate_basis not in ("exact", "rounded"):
            raise ValidationError(f"predicate_basis must be 'exact' or 'rounded', got {predicate_basis!r}")
        text, source = _framework_text(framework)
        fw = _build_framework(tomllib.loads(text), source)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._connect(path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        meta = {
            "schema_version": str(SCHEMA_VERSION),
            "framework": fw.name,
            "framework_source": source,
            "framework_toml": text,
            "year": "" if year is None else str(int(year)),
            "predicate_basis": predicate_basis,
            "title": title,
            "team": team,
            "created_at": _now(),
            "toolkit_version": _toolkit_version(),
        }
        with _transaction(conn):
            # statement by statement: executescript() would COMMIT behind the transaction's back
            for stmt in (_SCHEMA + _TRIGGERS).split(";\n"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        return cls(path, conn, fw, meta)

    @classmethod
    def open(cls, path: str | Path) -> Workspace:
        """Open an existing workspace, upgrading an older schema when a migration exists."""
        path = Path(path)
        if not path.is_file():
            raise SpbeError(f"{path}: no such workspace file")
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise SpbeError(f"{path}: not a workspace (not an SQLite database)")
        conn = cls._connect(path)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "meta" not in tables:
                raise SpbeError(f"{path}: not a spbe-toolkit workspace (no meta table)")
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            version = int(meta.get("schema_version", "0"))
            if version > SCHEMA_VERSION:
                raise SpbeError(
                    f"{path}: workspace schema version {version} is newer than this toolkit understands "
                    f"({SCHEMA_VERSION}); upgrade spbe-toolkit to open it"
                )
            while version < SCHEMA_VERSION:
                step = MIGRATIONS.get(version)
                if step is None:
                    raise SpbeError(
                        f"{path}: workspace schema version {version} cannot be upgraded to {SCHEMA_VERSION} "
                        "(no migration; it predates the first release). Re-import the submissions into a new workspace."
                    )
                with _transaction(conn):
                    step(conn)
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version + 1),))
                version += 1
                meta["schema_version"] = str(version)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            fw = _build_framework(tomllib.loads(meta["framework_toml"]), meta.get("framework_source", path.name))
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise SpbeError(f"{path}: damaged workspace file ({exc})") from exc
        except SpbeError:
            conn.close()
            raise
        return cls(path, conn, fw, meta)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        n = self._conn.execute("SELECT count(*) FROM instances").fetchone()[0]
        e = self._conn.execute("SELECT count(*) FROM events").fetchone()[0]
        return f"<Workspace {self.path.name}: {self.framework.name}, year {self.year or '-'}, {n} instances, {e} adjustments>"

    # ------------------------------------------------------------------ properties
    @property
    def year(self) -> int | None:
        y = self.meta.get("year", "")
        return int(y) if y else None

    @property
    def predicate_basis(self) -> str:
        return self.meta.get("predicate_basis", "exact")

    def instances(self) -> pd.DataFrame:
        """Instances with the metadata of their latest submitted version."""
        q = """
        SELECT s.instance, s.instance_type, s.province, s.year, s.contact, s.version, s.file, s.imported_at
        FROM submissions s
        JOIN (SELECT instance, MAX(version) v FROM submissions GROUP BY instance) m
          ON s.instance = m.instance AND s.version = m.v
        ORDER BY s.id
        """
        df = pd.read_sql_query(q, self._conn)
        df["year"] = df["year"].astype("Int64")
        return df.set_index("instance")

    # ------------------------------------------------------------------ import
    def import_submissions(self, subs, *, include_with_errors: bool = False) -> pd.DataFrame:
        """Import the loaded instances of a :class:`~spbe_toolkit.submissions.Submissions`.

        Idempotent: an unchanged submission is skipped; a changed one is stored as a new
        version (the old one stays). Returns one row per instance with ``action``
        (``added`` / ``unchanged`` / ``new version`` / ``skipped (errors)``) and ``version``.
        """
        if subs.framework.name != self.framework.name:
            raise ValidationError(
                f"submissions are for {subs.framework.name} but this workspace evaluates {self.framework.name}"
            )
        if "stage" in subs.levels.columns and (subs.levels["stage"] != "mandiri").any():
            bad = subs.levels.loc[subs.levels["stage"] != "mandiri", "stage"].unique()
            raise ValidationError(
                f"submissions hold stage(s) {', '.join(map(str, bad))}; only self-assessments (mandiri) are imported — "
                "record evaluator levels with Workspace.adjust or import_levels"
            )
        inst = subs.instances
        out = []
        if not include_with_errors:
            # say which instances stay out because their submission has errors
            for name in inst.loc[~inst["loaded"], "instance"].dropna():
                out.append({"instance": name, "action": "skipped (errors)", "version": None})
            inst = inst[inst["loaded"]]
        by_inst = dict(tuple(subs.levels.groupby("instance", sort=False)))
        now = self.clock()
        with _transaction(self._conn):
            for rec in inst.itertuples(index=False):
                name = rec.instance
                rows = by_inst.get(name)
                if rows is None or not len(rows):
                    continue
                rows = rows.sort_values("indicator")
                meta = {
                    "instance_type": _none(rec.instance_type),
                    "province": _none(rec.province),
                    "year": None if pd.isna(rec.year) else int(rec.year),
                    "contact": _none(rec.contact),
                }
                payload = {
                    "meta": meta,
                    "levels": [
                        [r.indicator, int(r.level), _none(r.justification), _none(r.evidence)]
                        for r in rows.itertuples(index=False)
                    ],
                }
                digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
                last = self._conn.execute(
                    "SELECT version, content_hash FROM submissions WHERE instance = ? ORDER BY version DESC LIMIT 1",
                    (name,),
                ).fetchone()
                if last and last[1] == digest:
                    out.append({"instance": name, "action": "unchanged", "version": last[0]})
                    continue
                if last is None:
                    self._conn.execute("INSERT INTO instances (instance, created_at) VALUES (?, ?)", (name, now))
                version = 1 if last is None else last[0] + 1
                cur = self._conn.execute(
                    "INSERT INTO submissions (instance, version, instance_type, province, year, contact, file, content_hash, imported_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        version,
                        meta["instance_type"],
                        meta["province"],
                        meta["year"],
                        meta["contact"],
                        str(rec.file),
                        digest,
                        now,
                    ),
                )
                sid = cur.lastrowid
                self._conn.executemany(
                    "INSERT INTO submitted_levels (submission_id, indicator, level, justification, evidence) VALUES (?, ?, ?, ?, ?)",
                    [(sid, *row) for row in payload["levels"]],
                )
                out.append({"instance": name, "action": "added" if last is None else "new version", "version": version})
        return pd.DataFrame(out, columns=["instance", "action", "version"])

    def import_levels(self, levels: pd.DataFrame, *, evaluator: str | None = None, stage: str = "final") -> int:
        """Record evaluator levels in bulk (e.g. a team's spreadsheet): one event per row that changes the level.

        ``levels`` has instance, indicator, level and optionally stage, evaluator, note.
        The same rules as :meth:`adjust` apply; the whole import is one transaction, so a bad
        row leaves the workspace unchanged. Returns the number of events recorded.
        """
        df = levels.copy()
        if "stage" not in df:
            df["stage"] = stage
        if "evaluator" not in df:
            if not evaluator:
                raise ValidationError("import_levels needs an evaluator column or evaluator=")
            df["evaluator"] = evaluator
        if "note" not in df:
            df["note"] = ""
        n = 0
        with _transaction(self._conn):
            for r in df.itertuples(index=False):
                if self._adjust_in_tx(str(r.instance), str(r.indicator), r.level, stage=str(r.stage), evaluator=str(r.evaluator),
                                      note=_none(r.note) or "", expected=None, skip_same=True) is not None:  # fmt: skip
                    n += 1
        return n

    # ------------------------------------------------------------------ adjust
    def adjust(
        self,
        instance: str,
        indicator: str,
        level: int,
        *,
        stage: str,
        evaluator: str,
        note: str = "",
        expected: int | None = None,
    ) -> int:
        """Record one evaluator level as a committed event; returns the event id.

        ``expected`` is the level the evaluator saw before changing it; if the current level
        differs (someone else changed it meanwhile) a :class:`ConflictError` names who and
        when, and nothing is written. A level different from the self-assessment needs a note.
        """
        with _transaction(self._conn):
            return self._adjust_in_tx(
                instance, indicator, level, stage=stage, evaluator=evaluator, note=note, expected=expected
            )

    def _adjust_in_tx(self, instance, indicator, level, *, stage, evaluator, note, expected, skip_same=False):
        fw = self.framework
        where = f"instance {instance!r}, indicator {indicator!r}"
        where_id = f"Instansi {instance!r}, indikator {indicator}"
        indicator = str(indicator)
        if stage not in EVALUATOR_STAGES:
            raise ValidationError(
                f"{where}: stage must be one of {', '.join(EVALUATOR_STAGES)} (got {stage!r})",
                pesan=f"{where_id}: tahap harus salah satu dari {', '.join(EVALUATOR_STAGES)}.",
            )
        if not evaluator or not str(evaluator).strip():
            raise ValidationError(
                f"{where}: the evaluator's name is required", pesan=f"{where_id}: nama evaluator wajib diisi."
            )
        if isinstance(level, bool) or not isinstance(level, (int, np.integer, float)) or float(level) != int(level):
            raise ValidationError(
                f"{where}: level must be a whole number, got {level!r}",
                pesan=f"{where_id}: tingkat harus bilangan bulat.",
            )
        level = int(level)
        if not fw.level_min <= level <= fw.level_max:
            raise ValidationError(
                f"{where}: level {level} is outside {fw.level_min}–{fw.level_max} of {fw.name}",
                pesan=f"{where_id}: tingkat {level} di luar rentang {fw.level_min}–{fw.level_max}.",
            )
        if indicator not in fw.codes and indicator not in fw.subitem_parent:
            raise ValidationError(
                f"{where}: unknown indicator for {fw.name}", pesan=f"{where_id}: indikator tidak dikenal."
            )
        row = self._conn.execute(
            """SELECT sl.level FROM submitted_levels sl
               JOIN submissions s ON s.id = sl.submission_id
               WHERE s.instance = ? AND sl.indicator = ?
               ORDER BY s.version DESC LIMIT 1""",
            (instance, indicator),
        ).fetchone()
        if row is None:
            known = self._conn.execute("SELECT 1 FROM instances WHERE instance = ?", (instance,)).fetchone()
            if not known:
                raise ValidationError(
                    f"{where}: instance not in this workspace",
                    pesan=f"{where_id}: instansi tidak ada di ruang kerja ini.",
                )
            raise ValidationError(
                f"{where}: indicator not in the instance's submission",
                pesan=f"{where_id}: indikator tidak ada dalam kiriman instansi.",
            )
        self_level = row[0]
        last = self._conn.execute(
            "SELECT id, level, evaluator, created_at, stage FROM events WHERE instance = ? AND indicator = ? ORDER BY id DESC LIMIT 1",
            (instance, indicator),
        ).fetchone()
        current = last[1] if last else self_level
        if expected is not None and int(expected) != current:
            who = f"{last[2]} at {last[3]} (stage {last[4]})" if last else "a new submission version"
            siapa = f"{last[2]} pada {last[3]} (tahap {last[4]})" if last else "versi kiriman baru"
            raise ConflictError(
                f"{where}: level is now {current}, not {expected} as you saw it — changed by {who}. Nothing was saved; reload and decide again.",
                pesan=f"{where_id}: tingkat kini {current}, bukan {expected} seperti yang Anda lihat — diubah oleh {siapa}. Tidak ada yang disimpan; muat ulang lalu putuskan kembali.",
            )
        if skip_same and last is not None and current == level and last[4] == stage:
            return None
        note = (note or "").strip()
        if level != self_level and not note:
            raise ValidationError(
                f"{where}: level {level} differs from the self-assessment ({self_level}); a note explaining why is required",
                pesan=f"{where_id}: tingkat {level} berbeda dari penilaian mandiri ({self_level}); catatan alasan wajib diisi.",
            )
        cur = self._conn.execute(
            "INSERT INTO events (instance, indicator, stage, level, evaluator, note, created_at, supersedes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (instance, indicator, stage, level, str(evaluator).strip(), note, self.clock(), last[0] if last else None),
        )
        return cur.lastrowid

    # ------------------------------------------------------------------ views
    def self_assessment(self, instance: str | None = None) -> pd.DataFrame:
        """Latest submitted self-assessment: instance, indicator, level, justification, evidence, version."""
        q = """
        SELECT s.instance, sl.indicator, sl.level, sl.justification, sl.evidence, s.version
        FROM submitted_levels sl JOIN submissions s ON s.id = sl.submission_id
        JOIN (SELECT instance, MAX(version) v FROM submissions GROUP BY instance) m
          ON s.instance = m.instance AND s.version = m.v
        """
        params: tuple = ()
        if instance is not None:
            q += " WHERE s.instance = ?"
            params = (instance,)
        df = pd.read_sql_query(q + " ORDER BY s.id, sl.rowid", self._conn, params=params)
        # framework order (1, 2, …, 10), not text order (1, 10, 2, …); instances keep import order
        order = {c: i for i, c in enumerate(self.framework.entry_codes)}
        pos = df["indicator"].map(order)
        inst_pos = pd.Series(pd.factorize(df["instance"])[0], index=df.index)
        return (
            df.assign(_i=inst_pos, _p=pos)
            .sort_values(["_i", "_p"], kind="stable")
            .drop(columns=["_i", "_p"])
            .reset_index(drop=True)
        )

    def levels(self, stage: str = "current", instance: str | None = None) -> pd.DataFrame:
        """Tidy levels (instance, indicator, level, source_stage, evaluator, note) at a stage.

        ``"mandiri"``: the self-assessment. ``"current"``: the latest event of any stage.
        A stage name: the latest event at that stage or an earlier one (the state at the
        end of that stage). Indicators never adjusted keep the self-assessed level.
        """
        if stage != "current" and stage not in STAGES:
            raise ValidationError(f"stage must be 'current' or one of {', '.join(STAGES)} (got {stage!r})")
        base = self.self_assessment(instance)
        base = base.assign(source_stage="mandiri", evaluator=None, note=None)[
            ["instance", "indicator", "level", "source_stage", "evaluator", "note"]
        ]
        if stage == "mandiri":
            return base
        allowed = EVALUATOR_STAGES if stage == "current" else EVALUATOR_STAGES[: EVALUATOR_STAGES.index(stage) + 1]
        marks = ",".join("?" * len(allowed))
        q = f"""
        SELECT e.instance, e.indicator, e.level, e.stage AS source_stage, e.evaluator, e.note
        FROM events e JOIN (
            SELECT MAX(id) id FROM events WHERE stage IN ({marks}) {"AND instance = ?" if instance is not None else ""}
            GROUP BY instance, indicator
        ) m ON e.id = m.id
        """
        params = tuple(allowed) + ((instance,) if instance is not None else ())
        ev = pd.read_sql_query(q, self._conn, params=params)
        if ev.empty:
            return base
        merged = base.set_index(["instance", "indicator"])
        ev = ev.set_index(["instance", "indicator"])
        ev = ev[ev.index.isin(merged.index)]
        merged.loc[ev.index, ["level", "source_stage", "evaluator", "note"]] = ev[
            ["level", "source_stage", "evaluator", "note"]
        ].to_numpy()
        merged["level"] = merged["level"].astype("int64")
        return merged.reset_index()

    def scores(self, stage: str = "current", instance: str | None = None) -> pd.DataFrame:
        """Scores at a stage (see :meth:`levels`), honouring the round's predicate basis."""
        from spbe_toolkit.scoring import score

        lv = self.levels(stage, instance)
        if lv.empty:
            return pd.DataFrame(columns=["index", "predicate"])
        return score(lv[["instance", "indicator", "level"]], self.framework, predicate_basis=self.predicate_basis)

    def score_comparison(
        self, instance: str | None = None, stages: tuple[str, ...] = ("mandiri", "current")
    ) -> pd.DataFrame:
        """Scores side by side for several stages: rows (stage, instance), columns as :meth:`scores`."""
        return pd.concat({stage: self.scores(stage, instance) for stage in stages}, names=["stage"])

    def history(self, instance: str | None = None) -> pd.DataFrame:
        """Every adjustment with who, when, why: id, instance, indicator, stage, from_level, level,
        evaluator, note, created_at, supersedes (oldest first)."""
        q = """
        SELECT e.id, e.instance, e.indicator, e.stage,
               COALESCE(p.level, (SELECT sl.level FROM submitted_levels sl JOIN submissions s ON s.id = sl.submission_id
                                  WHERE s.instance = e.instance AND sl.indicator = e.indicator
                                  ORDER BY s.version DESC LIMIT 1)) AS from_level,
               e.level, e.evaluator, e.note, e.created_at, e.supersedes
        FROM events e LEFT JOIN events p ON p.id = e.supersedes
        """
        params: tuple = ()
        if instance is not None:
            q += " WHERE e.instance = ?"
            params = (instance,)
        df = pd.read_sql_query(q + " ORDER BY e.id", self._conn, params=params)
        df["supersedes"] = df["supersedes"].astype("Int64")
        return df

    def submissions_log(self) -> pd.DataFrame:
        """Every imported submission version: instance, version, file, content_hash, imported_at."""
        return pd.read_sql_query(
            "SELECT instance, version, file, content_hash, imported_at FROM submissions ORDER BY id", self._conn
        )

    def status(self) -> pd.DataFrame:
        """Per instance: stage reached, indicators reviewed / adjusted / open, self and current index."""
        from spbe_toolkit.scoring import score

        inst = self.instances()
        cols = ["stage_reached", "indicators", "reviewed", "changed_from_self", "open"]
        if inst.empty:
            return pd.DataFrame(columns=cols)
        own = self.levels("mandiri").set_index(["instance", "indicator"])["level"]
        cur = self.levels("current").set_index(["instance", "indicator"])["level"]
        ev = pd.read_sql_query("SELECT instance, indicator, stage FROM events", self._conn)
        rank = ev["stage"].map({s: i for i, s in enumerate(STAGES)})
        reached = rank.groupby(ev["instance"]).max().map(lambda i: STAGES[i])
        st = pd.DataFrame(index=inst.index)
        st["stage_reached"] = reached.reindex(st.index).astype(object).where(lambda x: x.notna(), "mandiri")
        st["indicators"] = own.groupby(level="instance").size().reindex(st.index).fillna(0).astype(int)
        st["reviewed"] = ev.groupby("instance")["indicator"].nunique().reindex(st.index).fillna(0).astype(int)
        changed = cur.ne(own.reindex(cur.index))
        st["changed_from_self"] = changed.groupby(level="instance").sum().reindex(st.index).fillna(0).astype(int)
        st["open"] = st["indicators"] - st["reviewed"]
        basis = self.predicate_basis
        s_self = score(own.reset_index(), self.framework, predicate_basis=basis)
        s_cur = score(cur.reset_index(), self.framework, predicate_basis=basis)
        st["self_index"] = s_self["index"]
        st["index"] = s_cur["index"]
        st["predicate"] = s_cur["predicate"]
        return st.join(inst[["instance_type", "province"]])

    def export(self, path: str | Path) -> list[Path]:
        """Write every view: an ``.xlsx`` with one sheet per view, or ``<stem>_<view>.csv`` files."""
        path = Path(path)
        views = {
            "status": self.status().reset_index(),
            "skor_terkini": self.scores("current").reset_index(),
            "skor_mandiri": self.scores("mandiri").reset_index(),
            "level_terkini": self.levels("current"),
            "penilaian_mandiri": self.self_assessment(),
            "riwayat": self.history(),
            "versi_kiriman": self.submissions_log(),
        }
        for df in views.values():
            if "predicate" in df:
                df["predicate"] = df["predicate"].astype(object)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".xlsx":
            with pd.ExcelWriter(path, engine="openpyxl") as xw:
                for name, df in views.items():
                    df.to_excel(xw, sheet_name=name, index=False)
            return [path]
        out = []
        for name, df in views.items():
            p = path.with_name(f"{path.stem}_{name}.csv")
            df.to_csv(p, index=False)
            out.append(p)
        return out

    def integrity_check(self) -> str:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0]


@contextmanager
def _transaction(conn: sqlite3.Connection):
    """BEGIN IMMEDIATE … COMMIT (or ROLLBACK on any error): one durable unit of work."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def _none(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _toolkit_version() -> str:
    from spbe_toolkit import __version__

    return __version__


def workspace_from_samples(
    path: str | Path,
    framework: str = "spbe2020",
    *,
    with_final: bool = True,
    evaluator: str = "Tim Asesor (sintetis)",
    instances: Iterable[str] | None = None,
) -> Workspace:
    """Create a workspace from the bundled synthetic sample round (for demos and notebooks).

    Imports the filled templates and, with ``with_final``, records the synthetic final
    levels as ``final``-stage events with their notes.
    """
    from spbe_toolkit.samples import read_final_levels, sample_paths
    from spbe_toolkit.submissions import read_submissions

    folder, final_csv = sample_paths(framework)
    subs = read_submissions(folder, framework, progress=False)
    year = int(subs.instances["year"].dropna().iloc[0]) if subs.instances["year"].notna().any() else None
    ws = Workspace.create(path, framework=framework, year=year, title="Putaran contoh (data sintetis)", team=evaluator)
    ws.import_submissions(subs)
    if with_final:
        final = read_final_levels(final_csv)
        if instances is not None:
            final = final[final["instance"].isin(list(instances))]
        ws.import_levels(final)
    return ws


__all__ = ["STAGES", "STAGE_LABELS", "Workspace", "workspace_from_samples"]

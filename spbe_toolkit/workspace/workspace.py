"""The evaluation workspace: the rules of a round over a store of append-only events.

Rules that protect an evaluation:

* every :meth:`Workspace.adjust` is one committed transaction, so a killed kernel loses
  nothing that returned;
* events are never updated or deleted (the store refuses it); the current level is derived
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
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spbe_toolkit.errors import ConflictError, SpbeError, ValidationError
from spbe_toolkit.frameworks import (
    Framework,
    framework_base,
    framework_from_text,
    framework_of_round,
    resolve_framework,
)
from spbe_toolkit.i18n import Msg, Pair, now_iso, tr
from spbe_toolkit.io.names import match_names
from spbe_toolkit.version import __version__
from spbe_toolkit.vocab import PREVIOUS_COLUMN_ALIASES, SELF_STAGE, check_basis
from spbe_toolkit.workspace import (
    appeals,
    assignments,
    export,
    harmonisation,
    identity,
    letters,
    merge,
    recommendations,
    review,
    views,
)
from spbe_toolkit.workspace.merge import MergeReport  # noqa: F401 - MergeReport is public
from spbe_toolkit.workspace.review import append_finding
from spbe_toolkit.workspace.rules import record_level
from spbe_toolkit.workspace.snapshot import RoundSettings, RoundSnapshot, take_snapshot
from spbe_toolkit.workspace.store import BaseStore, create_store, open_store, schema


class Workspace(RoundSettings):
    """An evaluation round. Use :meth:`create` or :meth:`open`.

    This class holds opening, closing and the writes of levels (over :mod:`.rules`); what a
    round can show and do besides are functions of their own modules over the store's named
    reads, attached here as methods: views (:mod:`.views`), the assessor's findings and
    national indices (:mod:`.review`), merging (:mod:`.merge`), appeals, assignments,
    harmonisation and export.
    """

    # views
    instances = views.instances
    find_instances = views.find_instances
    self_assessment = views.self_assessment
    levels = views.levels
    scores = views.scores
    score_comparison = views.score_comparison
    last_event_ids = views.last_event_ids
    previous_results = views.previous_results
    history = views.history
    submissions_log = views.submissions_log
    status = views.status
    # the assessor's findings, interview notes, national indices
    record_finding = review.record_finding
    findings = review.findings
    finding_history = review.finding_history
    record_interview_note = review.record_interview_note
    interview_notes = review.interview_notes
    external_index = review.external_index
    import_national_index = review.import_national_index
    external_values = review.external_values
    # a team's round
    merge = merge.merge
    record_appeal = appeals.record_appeal
    decide_appeal = appeals.decide_appeal
    appeals = appeals.appeals
    assign = assignments.assign
    import_assignments = assignments.import_assignments
    assignment_template = assignments.assignment_template
    my_instances = assignments.my_instances
    progress = assignments.progress
    assignments = assignments.assignments  # last: from here on the name is the method
    # who writes
    add_evaluator = identity.add_evaluator
    evaluators = identity.evaluators
    whoami = identity.whoami
    harmonisation = harmonisation.harmonisation
    # letters the memos are sent as
    number_letters = letters.number_letters
    letters = letters.letters
    # recommendations followed up round after round
    record_recommendations = recommendations.record_recommendations
    import_recommendations = recommendations.import_recommendations
    record_follow_up = recommendations.record_follow_up
    follow_ups = recommendations.follow_ups
    recommendations = recommendations.recommendations
    export_views = export.export_views
    export = export.export

    def __init__(self, store: BaseStore, fw: Framework, meta: dict[str, str]) -> None:
        self.store = store
        self.framework = fw
        self.meta = meta
        self.clock: Callable[[], str] = now_iso  # replaceable in tests for deterministic output

    @property
    def path(self) -> Path:
        """The workspace file (for a server round: its redacted URL as a path, for display)."""
        return Path(self.store.location)

    @property
    def location(self) -> str:
        """Where the round lives: the SQLite file, or the server URL without its password.
        ``Workspace.open(ws.location)`` reopens it (a password comes from ``PG*``/``.pgpass``)."""
        return self.store.location

    @property
    def _conn(self):  # the SQLite connection, for tests and maintenance
        return self.store._conn

    # ------------------------------------------------------------------ opening
    @classmethod
    def create(
        cls,
        path: str | Path,  # a file, or a postgresql:// URL
        framework: str | Path = "spbe2020",
        year: int | None = None,
        predicate_basis: str = "exact",
        *,
        title: str = "",
        team: str = "",
    ) -> Workspace:
        """Create a new round: a workspace file, or — for a ``postgresql://`` URL — a round in an
        empty database on a server (see :mod:`spbe_toolkit.workspace.store.postgres`). Refuses to
        overwrite an existing file or round."""
        check_basis(predicate_basis)
        text, source = resolve_framework(framework)
        fw = framework_from_text(text, source, base=framework_base(framework))
        meta = {
            "schema_version": str(schema.SCHEMA_VERSION),
            "framework": fw.name,
            "framework_source": source,
            "framework_toml": text,
            "framework_criteria": fw.criteria_text,
            "year": "" if year is None else str(int(year)),
            "predicate_basis": predicate_basis,
            "title": title,
            "team": team,
            "created_at": now_iso(),
            "workspace_id": uuid.uuid4().hex,
            "toolkit_version": __version__,
            **schema.rule_meta(fw),
        }
        store = create_store(path, meta)
        return cls(store, fw, meta)

    @classmethod
    def open(cls, path: str | Path) -> Workspace:
        """Open an existing workspace (a file or a ``postgresql://`` URL), upgrading an older
        schema when a migration exists."""
        store = open_store(path)
        meta = store.meta()
        try:
            fw = framework_of_round({"framework_source": Path(str(path)).name, **meta})
        except (KeyError, SpbeError):
            store.close()
            raise
        return cls(store, fw, meta)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        n, e = self.store.counts()
        return "<" + tr("widget.workspace_repr", None, file=self.path.name, fw=self.framework.name, year=self.year or "-",
                        n=n, e=e) + ">"  # fmt: skip

    # ------------------------------------------------------------------ import
    def import_submissions(self, subs, *, include_with_errors: bool = False) -> pd.DataFrame:
        """Import the loaded instances of a :class:`~spbe_toolkit.io.submissions.Submissions`.

        Idempotent: an unchanged submission is skipped; a changed one is stored as a new
        version (the old one stays). Returns one row per instance with ``action``
        (``added`` / ``unchanged`` / ``new_version`` / ``skipped_errors``) and ``version``.
        """
        if subs.framework.name != self.framework.name:
            raise ValidationError(
                Msg("error.import_framework", found=subs.framework.name, expected=self.framework.name)
            )
        if "stage" in subs.levels.columns and (subs.levels["stage"] != SELF_STAGE).any():
            bad = subs.levels.loc[subs.levels["stage"] != SELF_STAGE, "stage"].unique()
            raise ValidationError(Msg("error.import_stages", stages=", ".join(map(str, bad))))
        inst = subs.instances
        out = []
        if not include_with_errors:
            # say which instances stay out because their submission has errors
            for name in inst.loc[~inst["loaded"], "instance"].dropna():
                out.append({"instance": name, "action": "skipped_errors", "version": None})
            inst = inst[inst["loaded"]]
        by_inst = dict(tuple(subs.levels.groupby("instance", sort=False)))
        now = self.clock()
        with self.store.transaction():
            for rec in inst.itertuples(index=False):
                rows = by_inst.get(rec.instance)
                if rows is not None and len(rows):
                    out.append(self._import_one(rec, rows.sort_values("indicator"), now))
        return pd.DataFrame(out, columns=["instance", "action", "version"])

    def _import_one(self, rec, rows: pd.DataFrame, now: str) -> dict[str, Any]:
        name = rec.instance
        meta = {
            "instance_type": _none(rec.instance_type),
            "province": _none(rec.province),
            "year": None if pd.isna(rec.year) else int(rec.year),
            "contact": _none(rec.contact),
        }
        as_value = self.framework.as_value
        levels = [
            [r.indicator, as_value(r.level), _none(r.justification), _none(r.evidence)]
            for r in rows.itertuples(index=False)
        ]
        payload = {"meta": meta, "levels": levels}
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        last = self.store.last_submission(name)
        if last and last[1] == digest:
            return {"instance": name, "action": "unchanged", "version": last[0]}
        if last is None:
            self.store.add_instance(name, now)
        version = 1 if last is None else last[0] + 1
        self.store.add_submission(name, version, meta, str(rec.file), digest, now, levels)
        return {"instance": name, "action": "added" if last is None else "new_version", "version": version}

    def import_levels(self, levels, *, evaluator: str | None = None, stage: str | None = None) -> int:
        """Record an assessor's table in bulk (a team's spreadsheet, or the national application's
        export): one event per row that changes the level, and the row's verification, catatan
        and rekomendasi as a finding. Returns the number of level events recorded.

        ``levels``: a DataFrame or a CSV/XLSX path, with Indonesian or English headings —
        ``instansi/instance, indikator/indicator, tingkat|nilai/level`` and optionally
        ``tahap/stage, evaluator, note`` (the reason of a change; the catatan when absent),
        ``catatan, rekomendasi, unggah, interviu, disetujui`` (ya / tidak / na) and
        ``tanpa bukti``. A row with findings may leave the level empty. An explicit
        ``evaluator=`` / ``stage=`` is what gets recorded; a column of the table that says
        otherwise is refused (it never wins silently). Without either, the table's column is
        used (stage ``final`` by default). The same rules as :meth:`adjust` apply; the whole
        import is one transaction, so a bad row — named in the error — leaves the workspace
        unchanged.
        """
        from spbe_toolkit.workspace.review import assessor_table

        df, first_row = assessor_table(levels, self.framework)
        me = self.whoami()
        if evaluator is None and me is not None and me["name"] and "evaluator" not in df:
            evaluator = me["name"]  # a server round: the database says who imports
        for name, value in (("evaluator", evaluator), ("stage", stage)):
            if value is None:
                continue
            if name in df:
                given = df[name].dropna().astype(str).str.strip()
                clash = sorted(set(given[given.ne("") & given.ne(str(value))]))
                if clash:
                    raise ValidationError(Msg("error.import_levels_clash", column=name, value=repr(value),
                                              found=", ".join(map(repr, clash[:5]))))  # fmt: skip
            df[name] = value
        if "stage" not in df:
            df["stage"] = "final"
        if "evaluator" not in df or df["evaluator"].isna().any():
            raise ValidationError(Msg("error.import_levels_evaluator"))
        n = 0
        with self.store.transaction():
            for i, r in enumerate(df.to_dict("records")):
                try:
                    n += self._import_row(r)
                except (ValidationError, ConflictError) as exc:
                    raise type(exc)(
                        Msg("error.import_row", row=first_row + i, detail=Pair(exc.pesan, exc.message))
                    ) from exc
        return n

    def _import_row(self, r: dict) -> int:
        """One row of :meth:`import_levels` inside its transaction: the level (if given), then the finding."""
        instance, indicator = str(r["instance"]), str(r["indicator"])
        stage, who = str(r["stage"]).strip(), str(r["evaluator"])
        finding = {
            k: r.get(k) for k in ("uploaded", "interviewed", "approved", "no_evidence", "finding", "recommendation")
        }
        note = _none(r.get("note")) or _none(r.get("finding")) or ""
        added = 0
        if r.get("level") is not None:
            if record_level(self, instance, indicator, r["level"], stage=stage, evaluator=who, note=str(note),
                                  expected=None, skip_same=True) is not None:  # fmt: skip
                added = 1
        if any(v is not None for v in finding.values()):
            append_finding(self, instance, indicator, stage=stage, evaluator=who, skip_same=True, **finding)
        return added

    def accept_remaining(self, instance: str | Iterable[str], *, stage: str, evaluator: str | None = None,
                         note: str = "") -> int:  # fmt: skip
        """Mark every indicator of ``instance`` (a name, or several) not yet reviewed as reviewed
        at ``stage`` with its self-assessed level (one event each, recorded with the evaluator's
        name, in one transaction). Returns the number of indicators accepted."""
        names = [instance] if isinstance(instance, str) else list(instance)
        n = 0
        with self.store.transaction():
            for name in names:
                reviewed = set(self.last_event_ids(name))
                own = self.self_assessment(name)
                if own.empty:
                    raise ValidationError(Msg("error.instance_not_in_workspace", instance=repr(name)))
                for r in own.itertuples(index=False):
                    if r.indicator in reviewed:
                        continue
                    record_level(self, name, r.indicator, r.level, stage=stage, evaluator=evaluator, note=note,
                                       expected=None)  # fmt: skip
                    n += 1
        return n

    # ------------------------------------------------------------------ adjust
    def adjust(
        self,
        instance: str,
        indicator: str,
        level: int | float,
        *,
        stage: str,
        evaluator: str | None = None,
        note: str = "",
        expected: int | float | None = None,
        expected_event: int | None = None,
        reopen: bool = False,
    ) -> int:
        """Record one evaluator level as a committed event; returns the event id.

        Conflict safety: ``expected`` is the level the evaluator saw before changing it, and
        ``expected_event`` the id of the latest event of that cell they saw (0 when they saw
        none). If the cell changed meanwhile — by level, or by any event at all for
        ``expected_event`` (which also catches A → B → A) — a :class:`ConflictError` names
        who and when, and nothing is written. A level different from the self-assessment
        needs a note.

        ``evaluator`` is the author's name; on a server round it may be left out (the
        database says who the session is) and, given, must be that name.

        Stages keep their order (dokumen < interviu < visitasi < final): a cell's level of
        record is the latest of its highest stage, and a write at a lower stage is refused,
        naming who decided what at which stage — unless ``reopen=True``, by someone allowed to
        write that higher stage; the event then records the decision it reopens.
        """
        with self.store.transaction():
            return record_level(self,
                instance, indicator, level, stage=stage, evaluator=evaluator, note=note, expected=expected,
                expected_event=expected_event, reopen=reopen,
            )  # fmt: skip

    def record_previous_results(
        self, results, *, year: int, framework: str | None = None, source: str = ""
    ) -> pd.DataFrame:
        """Record an earlier round's results of this round's instances (shown in memos as context).

        ``results``: a table with ``instance``, ``index`` and ``predicate`` (a published table,
        ``stats.results_table(other_workspace)``, …) — a DataFrame or an xlsx/csv path, headings
        in Indonesian or English (Instansi, Indeks, Predikat; "3,45" reads as 3.45); names are
        matched to this workspace's instances through the instance registry and the name normaliser. Returns the match:
        one row per instance of ``results`` with the workspace instance it was recorded for
        (empty where none). Append-only, like every record here.
        """
        if isinstance(results, pd.DataFrame) and "instance" not in results.columns and results.index.name:
            results = results.reset_index()  # a table indexed by instance (scores(), results_table())
        table, _first = review.table_with_fields(results, PREVIOUS_COLUMN_ALIASES)
        review.need_columns(table, ("instance", "index"))
        table = table.assign(index=pd.to_numeric(table["index"].map(review.raw_number), errors="coerce"))
        mine = list(self.instances().index)
        mapping = match_names(mine, table["instance"]).mapping  # workspace name → name in results
        rows = table.set_index("instance")
        now = self.clock()
        fw_name = framework or self.framework.name
        recorded = []
        with self.store.transaction():
            for name, match in mapping.items():
                value = rows.at[match, "index"]
                if pd.isna(value):
                    continue
                pred = rows.at[match, "predicate"] if "predicate" in rows.columns else None
                self.store.add_previous_result(name, int(year), fw_name, float(value), None if pd.isna(pred) else str(pred),
                                               source, now)  # fmt: skip
                recorded.append({"instance": match, "recorded_for": name})
        return pd.DataFrame(recorded, columns=["instance", "recorded_for"])

    def integrity_check(self) -> str:
        return self.store.integrity_check()

    def snapshot(self) -> RoundSnapshot:
        """The round read once, frozen (:class:`~spbe_toolkit.workspace.snapshot.RoundSnapshot`):
        what memos are made from, picklable for worker processes, no connection inside."""
        return take_snapshot(self)


def _none(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, str) and not v.strip():
        return None
    return v

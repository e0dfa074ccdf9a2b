"""ipywidgets panels over a :class:`~spbe_toolkit.workspace.Workspace` (no rules of their own).

* :class:`AdjustmentPanel` — one instance: a live header (index and predicate of the
  self-assessment and of the current levels, per domain) and an accordion per domain
  (per aspect when the framework has no domains) with, per indicator, the self level and
  its justification, a level selector showing level names, a note box, the evidence link
  and a marker when the level differs from the self-assessment. Changing a level saves it
  through :meth:`Workspace.adjust` (or shows why it cannot) and updates the header.
* :class:`RoundOverview` — the round's instances with status and current index, and a
  picker that opens a panel for the next instance.

Every text shown is in one language (``lang``, default: the configured language, Bahasa
Indonesia unless set); everything printed from outside is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping
from typing import Any

import ipywidgets as w
import pandas as pd

from spbe_toolkit.errors import ConflictError, SpbeError
from spbe_toolkit.i18n import Msg, check_lang, number, tr
from spbe_toolkit.i18n.tables import people_table
from spbe_toolkit.io.names import search_names
from spbe_toolkit.scoring import score
from spbe_toolkit.vocab import EVALUATOR_STAGES, SELF_STAGE, STAGE_RANK, STAGES, VERIFICATION_VALUES
from spbe_toolkit.workspace import Workspace

_BADGE = '<span style="background:#fde2c8;color:#8a3c00;border-radius:3px;padding:1px 6px;font-size:85%">{}</span>'


def _esc(v: Any) -> str:
    return html.escape("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v), quote=True)


def _link(url: Any, lang: str) -> str:
    if not isinstance(url, str) or not url.strip():
        return f'<span style="color:#888">{_esc(tr("widget.no_evidence", lang))}</span>'
    u = url.strip()
    if u.lower().startswith(("http://", "https://")):
        return f'<a href="{_esc(u)}" target="_blank" rel="noopener noreferrer">{_esc(tr("widget.evidence", lang))}</a>'
    return f"<code>{_esc(u)}</code>"


class IndicatorRow:
    """Widgets of one indicator inside an :class:`AdjustmentPanel`."""

    def __init__(
        self,
        panel: AdjustmentPanel,
        code: str,
        name: str,
        self_level: int | float,
        justification: Any,
        evidence: Any,
        current: int | float,
        event: int = 0,
        finding: Mapping[str, Any] | None = None,
        provisional: bool = False,
        decided: tuple[str, Any] | None = None,
    ) -> None:
        fw = panel.ws.framework
        lang = panel.lang
        self.panel = panel
        self.code = code
        self.self_level = fw.as_value(self_level)
        self.saved_level = fw.as_value(current)
        self.saved_event = int(event)  # the cell's latest event as this panel saw it (0: none)
        self._guard = False
        parent = fw.subitem_parent.get(code, code)
        if fw.decimals:
            # a value with decimals (Pemdi): typed, saved on Enter or leaving the box, named by its level
            self.level = w.BoundedFloatText(
                value=self.saved_level, min=fw.level_min, max=fw.level_max, step=10**-fw.decimals,
                continuous_update=False, description=tr("widget.value", lang), layout=w.Layout(width="200px"),
            )  # fmt: skip
        else:
            options = [(fw.level_label(parent, lv), lv) for lv in fw.levels]
            self.level = w.Dropdown(
                options=options,
                value=self.saved_level,
                description=tr("widget.level", lang),
                layout=w.Layout(width="300px", max_width="100%"),
            )
        self.level_name = w.HTML()
        # synced when the box is left (Tab, or the click on Simpan): one message, sent before the
        # click's, so a note typed fast and saved at once arrives whole
        self.note = w.Textarea(placeholder=tr("widget.note_placeholder", lang), continuous_update=False,
                               layout=w.Layout(width="100%", height="48px"))  # fmt: skip
        self.save = w.Button(description=tr("widget.save", lang), icon="save", button_style="primary",
                             layout=w.Layout(width="auto"), tooltip=tr("widget.save_tip", lang))  # fmt: skip
        self.undo = w.Button(description=tr("widget.undo", lang), icon="rotate-left", layout=w.Layout(width="auto"),
                             tooltip=tr("widget.undo_tip", lang))  # fmt: skip
        self.revert = w.Button(description=tr("widget.revert", lang), icon="undo", layout=w.Layout(width="auto"),
                               tooltip=tr("widget.revert_tip", lang, level=self.self_level))  # fmt: skip
        self.history_button = w.ToggleButton(description=tr("widget.history", lang), icon="history",
                                             layout=w.Layout(width="100px"))  # fmt: skip
        self.history = w.HTML()
        # the stage the cell is decided at; above this panel's stage a change must reopen it
        self.decided_text = w.HTML()
        self.reopen = w.Checkbox(value=False, description=tr("widget.reopen", lang), indent=False,
                                 layout=w.Layout(width="auto", display="none"))  # fmt: skip
        self._show_decided(decided)
        self.saved_note = w.HTML()
        self.marker = w.HTML()
        self.status = w.HTML()
        title = w.HTML(f"<b>{_esc(code)}</b> {_esc(name)}")
        self.provisional = w.HTML()
        self._show_fed(provisional)
        self_txt = w.HTML(
            f'<div style="font-size:90%;color:#333">{_esc(tr("widget.self_level", lang))}: '
            f"<b>{_esc(fw.value_label(parent, self.self_level, lang))}</b> · "
            f"{_link(evidence, lang)}<br><i>{_esc(justification) or '—'}</i></div>"
        )
        self.findings = FindingEditor(self, finding or {}) if fw.decimals or fw.external else None
        self.level.observe(self._on_level, names="value")
        self.save.on_click(lambda _b: self.try_save(self.level.value))
        self.undo.on_click(lambda _b: self.undo_mine())
        self.revert.on_click(lambda _b: self.revert_to_self())
        self.history_button.observe(lambda _c: self.show_history(), names="value")
        # in the order a keyboard goes: level → note → Simpan (Enter on it saves) → the other actions
        wrap = w.Layout(flex_flow="row wrap", align_items="center")
        parts = [title, self.provisional, self_txt,
                 w.HBox([self.level, self.level_name, self.marker], layout=wrap),
                 w.HBox([self.decided_text, self.reopen], layout=wrap), self.saved_note, self.note,
                 w.HBox([self.save, self.undo, self.revert, self.history_button], layout=wrap),
                 self.status]  # fmt: skip
        if self.findings is not None:
            parts.append(self.findings.box)
        self.box = w.VBox(
            [*parts, self.history], layout=w.Layout(border="1px solid #ddd", padding="4px", margin="2px 0")
        )  # fmt: skip
        self._update_marker()

    def _show_fed(self, provisional: bool) -> None:
        """For an indicator fed by a national index: which index and agency, and "sementara —
        menunggu nilai …" while it still counts its default."""
        fw, lang = self.panel.ws.framework, self.panel.lang
        ext = fw.external_by_indicator.get(fw.subitem_parent.get(self.code, self.code))
        if ext is None:
            return
        text = _esc(tr("widget.fed_by", lang, index=ext.label(lang), agency=ext.agency_label(lang)))
        if provisional:
            text += f" · <b>{_esc(tr('review.provisional', lang, index=ext.label(lang)))}</b>"
        self.provisional.value = f'<span style="color:#8a3c00">{text}</span>'

    def _show_decided(self, decided: tuple[str, Any] | None) -> None:
        """'Diputuskan pada tahap …' under the level; above the panel's stage, with the reopen box."""
        lang = self.panel.lang
        self.reopen.value = False
        if not decided:
            self.decided_text.value, self.reopen.layout.display = "", "none"
            return
        stage, who = decided
        above = STAGE_RANK[stage] > STAGE_RANK[self.panel.stage]
        text = tr("widget.decided_above" if above else "widget.decided", lang, stage=Msg(f"value.stage.{stage}"),
                  who=who or "—")  # fmt: skip
        colour = "#8a3c00" if above else "#555"
        self.decided_text.value = f'<span style="font-size:90%;color:{colour}">{_esc(text)}</span>'
        self.reopen.layout.display = "" if above else "none"

    def _update_marker(self) -> None:
        fw = self.panel.ws.framework
        differs = fw.as_value(self.level.value) != self.self_level
        self.marker.value = _BADGE.format(_esc(tr("widget.differs_badge", self.panel.lang))) if differs else ""
        if fw.decimals:
            name = fw.level_names(fw.subitem_parent.get(self.code, self.code)).get(fw.level_of(self.level.value), "")
            self.level_name.value = f"<span style='color:#333'>({_esc(name)})</span>" if name else ""

    def _on_level(self, change) -> None:
        """A choice in the selector (mouse or arrow keys) is only pending: Simpan saves it. A
        typed decimal value is committed by Enter (or leaving the box) and saved then."""
        if self._guard:
            return
        self._update_marker()
        fw = self.panel.ws.framework
        if fw.decimals:
            self.try_save(change["new"])
            return
        value = fw.as_value(change["new"])
        if value == self.saved_level:
            self.status.value = ""
            return
        parent = fw.subitem_parent.get(self.code, self.code)
        text = tr("widget.pending", self.panel.lang, level=fw.level_label(parent, value))
        self.status.value = f'<span style="color:#8a3c00">{_esc(text)}</span>'

    def set_level_silently(self, value: int | float) -> None:
        self._guard = True
        try:
            self.level.value = self.panel.ws.framework.as_value(value)
        finally:
            self._guard = False
        self._update_marker()

    def try_save(self, level: int | float) -> bool:
        """Save ``level`` through the workspace; show the outcome. Returns True when saved."""
        panel = self.panel
        as_value = panel.ws.framework.as_value
        try:
            eid = panel.ws.adjust(
                panel.instance,
                self.code,
                as_value(level),
                stage=panel.stage,
                evaluator=panel.evaluator,
                note=self.note.value,
                expected=self.saved_level,
                expected_event=self.saved_event,
                reopen=bool(self.reopen.value),
            )
        except ConflictError as exc:
            self.status.value = f'<span style="color:#b00020">⚠ {_esc(exc.text(panel.lang))}</span>'
            fresh = as_value(panel.ws.levels("current", panel.instance).set_index("indicator").at[self.code, "level"])
            self.saved_level = fresh
            self.saved_event = panel.ws.last_event_ids(panel.instance).get(self.code, 0)
            panel.current[self.code] = fresh
            self.set_level_silently(fresh)
            panel.refresh_header()
            return False
        except SpbeError as exc:
            needs_note = exc.msg is not None and exc.msg.key == "error.adjust_note_required"
            key = "widget.pending_note" if needs_note else "widget.not_saved"
            text = tr(key, panel.lang, reason=exc.text(panel.lang))
            self.status.value = f'<span style="color:#b00020">{_esc(text)}</span>'
            if not needs_note:  # nothing is pending: the selector shows what is saved
                self.set_level_silently(self.saved_level)
            return False
        amended = as_value(level) == self.saved_level
        self.saved_level = as_value(level)
        self.saved_event = eid
        key = "widget.note_saved" if amended else "widget.saved"
        text = tr(key, panel.lang, event=eid, stage=Msg(f"value.stage.{panel.stage}"))
        self.status.value = f'<span style="color:#1b5e20">✓ {_esc(text)}</span>'
        note = self.note.value.strip()
        self.saved_note.value = (
            f'<div style="font-size:90%;color:#555">{_esc(tr("widget.saved_note", panel.lang))}: <i>{_esc(note)}</i></div>'
            if note else ""
        )  # fmt: skip
        self.note.value = ""  # the next change needs its own reason
        self._show_decided((panel.stage, panel.evaluator))
        panel.current[self.code] = as_value(level)
        self._show_fed(False)  # a value is recorded: no longer the default
        panel.refresh_header()
        if self.history_button.value:
            self.show_history()
        panel.saved(self.code)
        return True

    def undo_mine(self) -> bool:
        """Take back this evaluator's own latest change of the cell: the level it had before,
        recorded as a new event with a note naming the change undone. Refused when the latest
        change is someone else's (or there is none)."""
        panel = self.panel
        h = panel.ws.history(panel.instance)
        h = h[h["indicator"] == self.code]
        me = panel.evaluator or (panel.ws.whoami() or {}).get("name")
        if h.empty or str(h["evaluator"].iat[-1]) != str(me):
            self.status.value = f'<span style="color:#b00020">{_esc(tr("widget.undo_none", panel.lang))}</span>'
            return False
        last = h.iloc[-1]
        before = last["from_level"]
        self.note.value = tr("widget.undo_note", panel.lang, event=int(last["id"]),
                             level=panel.ws.framework.format_value(panel.ws.framework.as_value(last["level"])))  # fmt: skip
        self.set_level_silently(before)
        return self.try_save(before)

    def revert_to_self(self) -> bool:
        """Set the self-assessed level again, with the typed note or a default one naming the revert."""
        if not self.note.value.strip():
            self.note.value = tr("widget.revert_note", self.panel.lang, level=self.saved_level, to=self.self_level)
        self.set_level_silently(self.self_level)
        return self.try_save(self.self_level)

    def show_history(self) -> None:
        """The indicator's events (who, when, from → to, why) under the row, and its findings
        (verification, catatan, rekomendasi) when the framework has them; nothing when closed."""
        if not self.history_button.value:
            self.history.value = ""
            return
        ws, lang = self.panel.ws, self.panel.lang
        h = ws.history(self.panel.instance)
        h = h[h["indicator"] == self.code][["created_at", "stage", "from_level", "level", "evaluator", "note"]]
        out = (
            people_table(h.iloc[::-1], lang).to_html(index=False, escape=True) if len(h)
            else f"<i>{_esc(tr('widget.no_history', lang))}</i>"
        )  # fmt: skip
        if self.findings is not None:
            f = ws.finding_history(self.panel.instance)
            f = f[f["indicator"] == self.code].drop(columns=["id", "instance", "indicator"])
            if len(f):
                out += f"<h5 style='margin:4px 0'>{_esc(tr('widget.findings_history', lang))}</h5>"
                out += people_table(f.iloc[::-1], lang).to_html(index=False, escape=True)
        self.history.value = out


class FindingEditor:
    """The assessor's finding on one indicator at the panel's stage: the three verification
    marks, "tanpa bukti", the catatan and the rekomendasi, saved with "Simpan temuan" through
    :meth:`Workspace.record_finding` (append-only, like levels)."""

    def __init__(self, row: IndicatorRow, current: Mapping[str, Any]) -> None:
        lang = row.panel.lang
        self.row = row
        choices = [("—", "")] + [(tr(f"value.flag.{v}", lang), v) for v in VERIFICATION_VALUES]

        def flag(name: str) -> w.Dropdown:
            value = current.get(name)
            return w.Dropdown(options=choices, value=value if value in VERIFICATION_VALUES else "",
                              description=tr(f"column.{name}", lang), layout=w.Layout(width="190px"),
                              style={"description_width": "70px"})  # fmt: skip

        self.uploaded, self.interviewed, self.approved = flag("uploaded"), flag("interviewed"), flag("approved")
        self.no_evidence = w.Checkbox(value=bool(current.get("no_evidence")), description=tr("column.no_evidence", lang),
                                      indent=False)  # fmt: skip
        self.finding = w.Textarea(value=current.get("finding") or "", placeholder=tr("widget.finding_placeholder", lang),
                                  description=tr("column.finding", lang), layout=w.Layout(width="100%", height="52px"),
                                  style={"description_width": "120px"})  # fmt: skip
        self.recommendation = w.Textarea(value=current.get("recommendation") or "",
                                         placeholder=tr("widget.recommendation_placeholder", lang),
                                         description=tr("column.recommendation", lang),
                                         layout=w.Layout(width="100%", height="52px"),
                                         style={"description_width": "120px"})  # fmt: skip
        self.save = w.Button(description=tr("widget.save_finding", lang), icon="check", layout=w.Layout(width="150px"))
        self.status = w.HTML()
        self.save.on_click(lambda _b: self.try_save())
        self.box = w.VBox(
            [w.HBox([self.uploaded, self.interviewed, self.approved, self.no_evidence]), self.finding,
             self.recommendation, w.HBox([self.save, self.status])],
            layout=w.Layout(border_top="1px dashed #ccc", padding="2px 0 0 0"),
        )  # fmt: skip

    def try_save(self) -> bool:
        panel = self.row.panel
        try:
            fid = panel.ws.record_finding(
                panel.instance, self.row.code, stage=panel.stage, evaluator=panel.evaluator,
                uploaded=self.uploaded.value or None, interviewed=self.interviewed.value or None,
                approved=self.approved.value or None, no_evidence=self.no_evidence.value,
                finding=self.finding.value, recommendation=self.recommendation.value,
            )  # fmt: skip
        except SpbeError as exc:
            self.status.value = f'<span style="color:#b00020">{_esc(tr("widget.not_saved", panel.lang, reason=exc.text(panel.lang)))}</span>'
            return False
        key = "widget.finding_unchanged" if fid is None else "widget.finding_saved"
        self.status.value = f'<span style="color:#1b5e20">✓ {_esc(tr(key, panel.lang, id=fid or 0))}</span>'
        if self.row.history_button.value:
            self.row.show_history()
        return True


class _LazyRows(Mapping):
    """``panel.rows``: indicator code → :class:`IndicatorRow`, each built on first access."""

    def __init__(self, panel: AdjustmentPanel) -> None:
        self._panel = panel
        self._built: dict[str, IndicatorRow] = {}

    def __getitem__(self, code: str) -> IndicatorRow:
        if code not in self._built:
            if code not in self._panel._row_args:
                raise KeyError(code)
            self._built[code] = self._panel._make_row(code)
        return self._built[code]

    def __iter__(self):
        return iter(self._panel._row_args)

    def __len__(self) -> int:
        return len(self._panel._row_args)

    @property
    def built(self) -> int:
        """How many rows exist so far (the rest are built when their section opens)."""
        return len(self._built)


class AdjustmentPanel:
    """Adjust one instance's levels for one stage. Display it in a notebook cell."""

    def __init__(
        self, ws: Workspace, instance: str, evaluator: str, stage: str = EVALUATOR_STAGES[0], lang: str | None = None
    ) -> None:
        self.lang = check_lang(lang)
        self.ws = ws
        self.instance = instance
        self.evaluator = evaluator
        self.stage = stage
        fw = ws.framework
        own = ws.self_assessment(instance) if isinstance(instance, str) else pd.DataFrame()
        if own.empty:
            raise SpbeError(Msg("error.instance_not_in_workspace", instance=repr(instance)))
        own = own.set_index("indicator")
        current_levels = ws.levels("current", instance).set_index("indicator")
        cur = current_levels["level"]
        self._listeners: list = []  # called as f(panel, indicator) after every save
        # the self-assessment as scored: an indicator fed by a national index and left empty counts its default
        self_lv = ws.levels(SELF_STAGE, instance).set_index("indicator")["level"]
        self.self_levels = {c: fw.as_value(v) for c, v in self_lv.items()}
        self.current = {c: fw.as_value(v) for c, v in cur.items()}
        provisional = current_levels["provisional"] if "provisional" in current_levels else {}
        events = ws.last_event_ids(instance)
        notes = current_levels["note"]
        decided = {  # the stage each cell is decided at (its level of record), and by whom
            c: (r["source_stage"], r["evaluator"])
            for c, r in current_levels.iterrows()
            if r["source_stage"] != SELF_STAGE
        }
        findings = {}
        if fw.decimals or fw.external:
            fnd = ws.findings(instance, stage)
            findings = {r["indicator"]: r for r in fnd.to_dict("records")}

        def own_at(code: str, column: str):
            return own.at[code, column] if code in own.index else None

        # rows are built when first needed (their section opened, or ``panel.rows[code]``):
        # the panel shows its header and section titles at once, whatever the framework's size
        self._row_args = {
            code: (fw.entry_name(code), self.self_levels[code], own_at(code, "justification"),
                   own_at(code, "evidence"), self.current[code], events.get(code, 0), notes.get(code),
                   findings.get(code), bool(provisional.get(code, False)), decided.get(code))
            for code in self_lv.index
        }  # fmt: skip
        self.rows = _LazyRows(self)
        self.header = w.HTML(layout=w.Layout(width="100%", max_width="100%"))
        self.accordion = self._build_accordion()
        self.widget = w.VBox([self.header, self.accordion], layout=w.Layout(max_width="100%"))
        self.refresh_header()

    def _make_row(self, code: str) -> IndicatorRow:
        name, self_level, justification, evidence, current, event, note, finding, provisional, decided = self._row_args[
            code
        ]
        row = IndicatorRow(self, code, name, self_level, justification, evidence, current, event, finding, provisional,
                           decided)  # fmt: skip
        if isinstance(note, str) and note.strip():
            row.saved_note.value = (
                f'<div style="font-size:90%;color:#555">{_esc(tr("widget.saved_note", self.lang))}: '
                f"<i>{_esc(note)}</i></div>"
            )
        return row

    def _build_accordion(self) -> w.Accordion:
        fw = self.ws.framework
        ind = fw.indicators
        code_aspect = {c: a for c, a in zip(ind["indicator"], ind["aspect"])}
        codes_by_aspect: dict[str, list[str]] = {}
        for code in self._row_args:
            codes_by_aspect.setdefault(code_aspect[fw.subitem_parent.get(code, code)], []).append(code)
        asp = fw.aspects.set_index("code")
        if fw.has_domains:
            groups = [
                (d, fw.domains.set_index("code").at[d, "name"], list(asp.index[asp["domain"] == d]))
                for d in fw.domain_codes
            ]
        else:
            groups = [(a, asp.at[a, "name"], [a]) for a in fw.aspect_codes]
        self._sections: list[tuple[w.VBox, list[tuple[str, list[str]]]]] = []
        titles = []
        for code, name, aspects in groups:
            self._sections.append((w.VBox(), [(a, codes_by_aspect.get(a, [])) for a in aspects]))
            titles.append(f"{code} — {name}")
        acc = w.Accordion(children=[box for box, _ in self._sections], selected_index=None)
        for i, t in enumerate(titles):
            acc.set_title(i, t)
        acc.observe(lambda change: self.open_section(change["new"]), names="selected_index")
        return acc

    def open_section(self, index: int | None) -> None:
        """Build the rows of section ``index`` (once) and open it."""
        if index is None:
            return
        box, aspects = self._sections[index]
        if not box.children:
            fw = self.ws.framework
            asp = fw.aspects.set_index("code")
            parts = []
            for a, codes in aspects:
                if fw.has_domains:
                    parts.append(w.HTML(f"<h4 style='margin:6px 0 2px'>{_esc(a)} — {_esc(asp.at[a, 'name'])}</h4>"))
                parts.extend(self.rows[c].box for c in codes)
            box.children = parts
        if self.accordion.selected_index != index:
            self.accordion.selected_index = index

    def _scores(self) -> pd.DataFrame:
        rows = [(SELF_STAGE, c, lv) for c, lv in self.self_levels.items()] + [
            ("current", c, lv) for c, lv in self.current.items()
        ]
        df = pd.DataFrame(rows, columns=["instance", "indicator", "level"])
        return score(df, self.ws.framework, predicate_basis=self.ws.predicate_basis)

    def on_saved(self, callback) -> None:
        """Call ``callback(panel, indicator)`` after every save (the round overview refreshes itself)."""
        self._listeners.append(callback)

    def saved(self, code: str) -> None:
        for callback in self._listeners:
            callback(self, code)

    def refresh_header(self) -> None:
        s = self._scores()
        fw = self.ws.framework
        parts = fw.domain_codes if fw.has_domains else fw.aspect_codes
        names = (fw.domains if fw.has_domains else fw.aspects).set_index("code")["name"]
        changed = sum(1 for c in self.current if self.current[c] != self.self_levels[c])
        head = "".join(f"<th title='{_esc(names[p])}'>{_esc(p)}</th>" for p in parts)

        lang = self.lang

        def line(key: str, label: str) -> str:
            r = s.loc[key]
            cells = "".join(f"<td>{number(r[p], lang)}</td>" for p in parts)
            level = (
                f" <span style='font-weight:normal'>({_esc(fw.index_level_label(r['index'], lang))})</span>"
                if fw.decimals
                else ""
            )
            return (f"<tr><td>{_esc(label)}</td><td><b>{number(r['index'], lang)}</b>{level}</td>"
                    f"<td>{_esc(r['predicate'])}</td>{cells}</tr>")  # fmt: skip

        info = tr("widget.header_info", lang, fw=fw.title_in(lang), stage=Msg(f"value.stage.{self.stage}"), evaluator=self.evaluator,
                  changed=changed)  # fmt: skip
        self.header.value = (
            f"<div class='spbe-panel-header' style='font-family:sans-serif;max-width:100%;overflow-x:auto'><h3 style='margin:2px 0'>{_esc(self.instance)}</h3>"
            f"<div style='white-space:normal'>{_esc(info)}</div>"
            "<style>.spbe-header td,.spbe-header th{padding:2px 10px;text-align:right;border-bottom:1px solid #e3e3e3}"
            # the HTML widget's box is a flex item that would grow to the table's width (min-width:auto)
            ".widget-html-content:has(> .spbe-panel-header){min-width:0;max-width:100%}"
            ".spbe-header td:first-child,.spbe-header th:first-child{text-align:left}</style>"
            "<div style='overflow-x:auto;max-width:100%'>"  # on a phone the table scrolls sideways in its box
            f"<table class='spbe-header' style='border-collapse:collapse;margin-top:4px'>"
            f"<tr><th></th><th>{_esc(tr('column.index', lang))}</th><th>{_esc(tr('column.predicate', lang))}</th>{head}</tr>"
            f"{line(SELF_STAGE, tr('widget.row_self', lang))}{line('current', tr('widget.row_current', lang))}</table>"
            "</div></div>"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


OVERVIEW_COLUMNS = ("instance_type", "province", "stage_reached", "reviewed", "changed_from_self", "open",
                    "self_index", "index", "predicate")  # fmt: skip
OVERVIEW_SORTS = {  # key → (column, ascending)
    "open": ("open", False),
    "name": (None, True),
    "index_low": ("index", True),
    "index_high": ("index", False),
    "changed": ("changed_from_self", False),
}


def overview_rows(status: pd.DataFrame, *, instance_type: str = "", province: str = "", stage: str = "",
                  only_open: bool = False, mine: Collection[str] | None = None, sort: str = "open") -> pd.DataFrame:  # fmt: skip
    """The overview's rows: ``status`` (``Workspace.status()``) after its filters — an empty
    filter keeps everything; ``mine``, the instances assigned to the evaluator (None: every
    instance) — in the order of ``sort`` (a key of :data:`OVERVIEW_SORTS`; names ignore case)."""
    keep = pd.Series(True, index=status.index)
    if instance_type:
        keep &= status["instance_type"] == instance_type
    if province:
        keep &= status["province"] == province
    if stage:
        keep &= status["stage_reached"] == stage
    if only_open:
        keep &= status["open"] > 0
    if mine is not None:
        keep &= status.index.isin(list(mine))
    out = status[keep]
    column, ascending = OVERVIEW_SORTS[sort]
    if column is None:
        return out.sort_index(key=lambda idx: idx.str.casefold())
    return out.sort_values(column, ascending=ascending, kind="stable", na_position="last")


def overview_table(rows: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The overview's rows as shown: its columns, headings and stages in ``lang``."""
    return people_table(rows[[c for c in OVERVIEW_COLUMNS if c in rows.columns]], lang)


def overview_html(table: pd.DataFrame, total: int, lang: str | None = None, *,
                  classes: str = "spbe-overview") -> tuple[str, str]:  # fmt: skip
    """The line "n of total shown" and the table in its scrolling box, as HTML (every value
    escaped): what the overview shows, in the app and in the app's first view alike."""
    shown = f"<i>{_esc(tr('widget.shown', lang, n=len(table), total=total))}</i>"
    box = (
        "<div class='jp-RenderedHTMLCommon' style='max-height:60vh;min-height:120px;overflow:auto;"
        "border:1px solid #e3e3e3;padding:0'>"  # JupyterLab's own table style, in the app and in notebooks
        + table.to_html(escape=True, na_rep="", classes=classes)
        + "</div>"
    )
    return shown, box


class RoundOverview:
    """The round's instances with status and current index — filtered, sorted, searchable —
    and a search box that opens an :class:`AdjustmentPanel`. Every save in a panel it opened
    refreshes the table."""

    COLUMNS = OVERVIEW_COLUMNS
    SORTS = OVERVIEW_SORTS
    MAX_SUGGESTIONS = 30

    def __init__(
        self,
        ws: Workspace,
        evaluator: str = "",
        stage: str = EVALUATOR_STAGES[0],
        lang: str | None = None,
        aliases: dict[str, str] | None = None,
    ) -> None:
        self.lang = lang = check_lang(lang)
        self.ws = ws
        self.aliases = dict(aliases or {})
        label = {"description_width": "initial"}  # labels whole ("Tahap dicapai", not "Tahap dic…")
        self.evaluator = w.Text(value=evaluator, description=tr("widget.evaluator", lang), style=label)
        self.locked_evaluator: str | None = None  # set by the app: the name saves carry, whatever the page sends
        self.stage = w.Dropdown(
            options=[(tr(f"value.stage.{s}", lang), s) for s in EVALUATOR_STAGES],
            value=stage,
            description=tr("widget.stage", lang),
            style=label,
        )
        everyone = tr("widget.all", lang)
        self.type_filter = w.Dropdown(options=[(everyone, "")], description=tr("widget.filter_type", lang),
                                      style=label)  # fmt: skip
        self.province_filter = w.Dropdown(options=[(everyone, "")], description=tr("widget.filter_province", lang),
                                          style=label)  # fmt: skip
        self.stage_filter = w.Dropdown(
            options=[(everyone, "")] + [(tr(f"value.stage.{s}", lang), s) for s in STAGES],
            description=tr("widget.filter_stage", lang),
            style=label,
        )
        self.only_open = w.Checkbox(value=False, description=tr("widget.only_open", lang), indent=False)
        self.sort = w.Dropdown(options=[(tr(f"widget.sort_{k}", lang), k) for k in self.SORTS],
                               value="open", description=tr("widget.sort", lang), style=label)  # fmt: skip
        self.mine = w.Checkbox(value=False, description=tr("widget.my_instances", lang), indent=False)
        self.table = w.HTML()
        self.shown = w.HTML()
        # a text box with suggestions: typing part of a name, an acronym or a code finds the
        # instance, and keys typed into a text box never reach JupyterLab's notebook shortcuts
        # (a drop-down's do: ipywidgets #3912)
        self.picker = w.Combobox(description=tr("widget.instance", lang), placeholder=tr("widget.search", lang),
                                 ensure_option=False, continuous_update=True, style=label,
                                 layout=w.Layout(width="480px", max_width="100%"))  # fmt: skip
        self.matches = w.HTML()
        self.open_button = w.Button(description=tr("widget.open_panel", lang), icon="folder-open")
        self.refresh_button = w.Button(description=tr("widget.reload", lang), icon="refresh")
        self.message = w.HTML()
        self.output = w.Output(layout=w.Layout(max_width="100%"))
        self.panel: AdjustmentPanel | None = None
        self.open_button.on_click(lambda _b: self.open_selected())
        self.refresh_button.on_click(lambda _b: self.refresh())
        for control in (self.type_filter, self.province_filter, self.stage_filter, self.only_open, self.sort,
                        self.mine):  # fmt: skip
            control.observe(lambda _c: self.refresh(), names="value")
        self.picker.observe(lambda _c: self._on_search(), names="value")
        self.picker.on_msg(self._on_picker_message)  # Enter in the search box opens the single match

        def row(*children):  # controls wrap onto the next line on a narrow screen (phone, tablet)
            return w.HBox(list(children), layout=w.Layout(flex_flow="row wrap"))

        self.widget = w.VBox(
            [
                row(self.type_filter, self.province_filter, self.stage_filter),
                row(self.sort, self.only_open, self.mine),
                self.shown,
                self.table,
                row(self.picker, self.evaluator, self.stage),
                self.matches,
                row(self.open_button, self.refresh_button),
                self.message,
                self.output,
            ],
            layout=w.Layout(max_width="100%"),
        )
        self.refresh()

    # ------------------------------------------------------------------ what is listed
    def filtered_status(self) -> pd.DataFrame:
        """``ws.status()`` after the filters, "my instances" and the sort (API column names)."""
        mine = self.ws.my_instances(self.who()) if self.mine.value and self.who() else None
        return overview_rows(self._status, instance_type=self.type_filter.value, province=self.province_filter.value,
                             stage=self.stage_filter.value, only_open=self.only_open.value, mine=mine,
                             sort=self.sort.value)  # fmt: skip

    def status_table(self) -> pd.DataFrame:
        """The rows as shown: headings and stages in the overview's language."""
        return overview_table(self.filtered_status(), self.lang)

    def _set_choices(self, dropdown: w.Dropdown, values) -> None:
        current = dropdown.value
        dropdown.options = [dropdown.options[0]] + [(str(v), v) for v in values]
        dropdown.value = current if current in {v for _l, v in dropdown.options} else ""

    def refresh(self, instance: str | None = None) -> None:
        """Read the round again (or only ``instance``'s row, after a save in its panel) and
        redraw the table, filters and suggestions."""
        if instance is not None and instance in self._status.index:
            row = self.ws.status(instance=instance)
            self._status.loc[instance, row.columns] = row.loc[instance]
        else:
            self._status = self.ws.status()
        st = self._status
        for dropdown, column in ((self.type_filter, "instance_type"), (self.province_filter, "province")):
            present = sorted({v for v in st[column] if isinstance(v, str) and v}, key=str.casefold)
            if [v for _l, v in dropdown.options[1:]] != present:
                self._set_choices(dropdown, present)
        self.shown.value, self.table.value = overview_html(self.status_table(), len(st), self.lang)
        self._on_search()

    def who(self) -> str:
        """The evaluator's name saves are recorded under: the app's fixed identity when it has
        one (a value sent from the page cannot change it), else the name typed."""
        return self.locked_evaluator if self.locked_evaluator is not None else self.evaluator.value.strip()

    def candidates(self) -> list[str]:
        """The listed instances that match what is typed in the search box, best first."""
        listed = list(self.filtered_status().index)
        text = self.picker.value.strip()
        return search_names(text, listed, self.aliases) if text else listed

    def _no_match_text(self, text: str) -> str:
        """Nothing listed matches: say whether the round has it but a filter hides it ("Instansi
        saya": not assigned to this evaluator) rather than that it does not exist."""
        hidden = search_names(text, list(self._status.index), self.aliases)
        if not hidden:
            return tr("widget.no_match", self.lang, query=text)
        key = "widget.not_mine" if self.mine.value and self.who() else "widget.hidden_by_filter"
        return tr(key, self.lang, query=text, names=", ".join(hidden[:3]), who=self.who())

    def _on_search(self) -> None:
        found = self.candidates()
        text = self.picker.value.strip()
        self.picker.options = tuple(found[: self.MAX_SUGGESTIONS])
        if not text or text in found[:1]:
            self.matches.value = ""
        elif not found:
            self.matches.value = f"<span style='color:#b00020'>{_esc(self._no_match_text(text))}</span>"
        else:
            names = ", ".join(found[:5]) + (" …" if len(found) > 5 else "")
            self.matches.value = (
                f"<span style='color:#555'>{_esc(tr('widget.matches', self.lang, n=len(found), names=names))}</span>"
            )

    def _on_picker_message(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            self.open_selected()

    def selected(self) -> str | None:
        """The instance the search box designates: its exact name, or the only match."""
        text = self.picker.value.strip()
        if text in self._status.index:
            return text
        found = self.candidates() if text else []
        return found[0] if len(found) == 1 else None

    def open_selected(self) -> AdjustmentPanel | None:
        """Open the panel of :meth:`selected` (or say why not)."""
        name = self.selected()
        if name is None:
            text = self.picker.value.strip()
            found = self.candidates() if text else []
            key = "widget.pick_instance" if not text else ("widget.no_match" if not found else "widget.several")
            shown = ", ".join(found[:5])
            said = (
                self._no_match_text(text) if key == "widget.no_match" else tr(key, self.lang, query=text, names=shown)
            )
            self.message.value = f"<span style='color:#b00020'>{_esc(said)}</span>"
            return None
        if not self.who():
            self.message.value = f"<span style='color:#b00020'>{_esc(tr('widget.evaluator_first', self.lang))}</span>"
            return None
        self.message.value = ""
        self.panel = AdjustmentPanel(self.ws, name, self.who(), self.stage.value, lang=self.lang)
        self.panel.on_saved(lambda panel, _code: self.refresh(panel.instance))  # the overview stays current
        self.output.clear_output()
        with self.output:
            from IPython.display import display

            display(self.panel.widget)
        return self.panel

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

"""Framework files: structure, weights, level names, and refusal of broken files."""

from __future__ import annotations

import re
from importlib import resources

import pytest

import spbe_toolkit as spbe
from spbe_toolkit.errors import ValidationError


@pytest.fixture(autouse=True)
def _messages_in_english(english):
    """These tests read the English text of messages (``.message``); the Indonesian text is
    tested in test_language.py."""


def test_list_frameworks():
    assert spbe.list_frameworks() == ["pemdi2026", "spbe2018", "spbe2020"]


@pytest.mark.parametrize(
    "name, n_dom, n_asp, n_ind, lmin, lmax, lowers",
    [
        ("spbe2018", 3, 7, 35, 0, 5, [0, 1.8, 2.6, 3.5, 4.2]),
        ("spbe2020", 4, 8, 47, 1, 5, [1, 1.8, 2.6, 3.5, 4.2]),
        ("pemdi2026", 0, 7, 20, 1, 5, [1, 1.5, 2.5, 3.5, 4.0]),
    ],
)
def test_structure(name, n_dom, n_asp, n_ind, lmin, lmax, lowers):
    fw = spbe.load_framework(name)
    assert (len(fw.domains), len(fw.aspects), len(fw.indicators)) == (n_dom, n_asp, n_ind)
    assert (fw.level_min, fw.level_max) == (lmin, lmax)
    assert [b.lower for b in fw.bands] == lowers
    assert fw.predicates == ["Kurang", "Cukup", "Baik", "Sangat Baik", "Memuaskan"]
    assert fw.indicators["weight"].sum() == pytest.approx(100)
    assert list(fw.indicators.columns[:5]) == ["indicator", "name", "aspect", "domain", "weight"]
    assert all(isinstance(c, str) for c in fw.indicators["indicator"])
    assert fw.provenance["confirmed"] and fw.provenance["derived"]


def test_spbe2020_weights_match_reference():
    fw = spbe.load_framework("spbe2020")
    assert fw.domain_weights.to_dict() == {"D1": 13, "D2": 25, "D3": 16.5, "D4": 45.5}
    assert fw.aspect_weights.to_dict() == {
        "A1": 13, "A2": 10, "A3": 10, "A4": 5, "A5": 12, "A6": 4.5, "A7": 27.5, "A8": 18,
    }  # fmt: skip
    w = fw.indicators.set_index("indicator")["weight"]
    assert w["42"] == w["47"] == 3.0  # not the 3.50 printed in the report's table
    assert fw.weight_scale == 20


def test_spbe2018_weights_and_subitems():
    fw = spbe.load_framework("spbe2018")
    assert fw.domain_weights.to_dict() == {"D1": 17, "D2": 28, "D3": 55}
    assert fw.aspect_weights.tolist() == [7, 10, 8, 8, 12, 35, 20]
    assert fw.subitem_parent == {"35a": "35", "35b": "35", "35c": "35"}


def test_level_names():
    fw = spbe.load_framework("spbe2020")
    assert fw.level_names("1") == {
        1: "Rintisan",
        2: "Terkelola",
        3: "Terdefinisi",
        4: "Terpadu dan Terukur",
        5: "Optimum",
    }
    assert fw.level_label("32", 3) == "3 — Transaksi"
    f18 = spbe.load_framework("spbe2018")
    assert f18.level_names("25") == {} and f18.level_label("25", 0) == "Level 0"  # no official 2018 names
    assert fw.kind_of("1") == "kebijakan" and fw.kind_of("10") == "kebijakan" and fw.kind_of("11") == "proses"
    assert "ditetapkan" in fw.kinds["kebijakan"]["level_descriptions"]["2"]


def _builtin_text(name="spbe2020") -> str:
    return (resources.files("spbe_toolkit.frameworks") / f"{name}.toml").read_text(encoding="utf-8")


def test_load_corrected_copy_from_path(tmp_path):
    text = _builtin_text().replace('name = "spbe2020"', 'name = "spbe2020-koreksi"', 1)
    p = tmp_path / "koreksi.toml"
    p.write_text(text, encoding="utf-8")
    fw = spbe.load_framework(p)
    assert fw.name == "spbe2020-koreksi" and len(fw.indicators) == 47
    assert fw.source == str(p)


def _first_indicator_block(text):
    return text.index("[[indicators]]")


BROKEN = {
    "weights_not_100": (
        lambda t: t.replace("weight = 3.0", "weight = 3.5"),
        r"weights sum to 103, not 100",
    ),
    "duplicate_indicator_code": (
        lambda t: t.replace('code = "2"\n', 'code = "1"\n', 1),
        r"duplicate indicator code '1'",
    ),
    "missing_indicator_code": (
        lambda t: t.replace('code = "3"\n', "", 1),
        r"indicator #3 has no code",
    ),
    "unknown_aspect": (
        lambda t: t.replace('aspect = "A8"', 'aspect = "A9"', 1),
        r"indicator '42' points to unknown aspect 'A9'",
    ),
    "unknown_domain": (
        lambda t: t.replace('domain = "D4"', 'domain = "D7"', 1),
        r"aspect 'A7' points to unknown domain 'D7'",
    ),
    "bands_overlap": (
        lambda t: t.replace("lower = 2.6\nupper = 3.5", "lower = 2.5\nupper = 3.5"),
        r"bands 'Cukup' and 'Baik' overlap",
    ),
    "bands_gap": (
        lambda t: t.replace("lower = 2.6\nupper = 3.5", "lower = 2.7\nupper = 3.5"),
        r"gap between bands 'Cukup' and 'Baik'",
    ),
    "bands_do_not_cover_top": (
        lambda t: t.replace("lower = 4.2\nupper = 5.0", "lower = 4.2\nupper = 4.9"),
        r"bands end at 4.9 and do not cover level 5",
    ),
    "bands_do_not_cover_bottom": (
        lambda t: t.replace('predicate = "Kurang"\nlower = 1', 'predicate = "Kurang"\nlower = 1.2'),
        r"bands start at 1.2 and do not cover level 1",
    ),
    "not_toml": (lambda t: t + "\n[[indicators\n", r"not valid TOML"),
    "unknown_kind": (
        lambda t: t.replace('kind = "layanan"', 'kind = "servis"', 1),
        r"unknown kind 'servis'",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_framework_file_is_refused(tmp_path, case):
    mutate, message = BROKEN[case]
    text = _builtin_text()
    broken = mutate(text)
    assert broken != text, "the mutation must change the file"
    p = tmp_path / f"{case}.toml"
    p.write_text(broken, encoding="utf-8")
    with pytest.raises(ValidationError, match=message) as exc:
        spbe.load_framework(p)
    assert str(p) in str(exc.value)


def test_all_problems_listed_at_once(tmp_path):
    text = _builtin_text().replace("weight = 3.0", "weight = 3.5").replace('aspect = "A8"', 'aspect = "A9"', 1)
    p = tmp_path / "two.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        spbe.load_framework(p)
    msg = str(exc.value)
    assert re.search("weights sum to", msg) and re.search("unknown aspect 'A9'", msg)
    assert len(exc.value.problems) >= 2


def test_unknown_name():
    with pytest.raises(ValidationError, match="Unknown framework 'spbe2030'"):
        spbe.load_framework("spbe2030")


# --------------------------------------------------------------------------- holes found by the adversarial review
def _first(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


HOLES = {
    "NaN band bound": (lambda t: _first(t, "lower = 4.2", "lower = nan"), r"band #\d+ needs predicate, lower and upper"),
    "infinite band bound": (lambda t: _first(t, "upper = 5.0", "upper = inf"), r"band #\d+ needs"),
    "boolean band bound": (lambda t: _first(t, "lower = 4.2", "lower = true"), r"band #\d+ needs"),
    "string band bound": (lambda t: _first(t, "lower = 4.2", 'lower = "4.2"'), r"band #\d+ needs"),
    "codes 1 and '1'": (lambda t: _first(t, 'code = "2"', "code = 1"), r"duplicate indicator code '1'"),
    "huge level range": (lambda t: _first(t, "level_max = 5", "level_max = 1000000000000000000"), r"level range 1\.\.1000000000000000000"),
    "negative level range": (lambda t: _first(t, "level_min = 1", "level_min = -1000000000000000000"), r"level range"),
    "boolean level bound": (lambda t: _first(t, "level_min = 1", "level_min = true"), r"level range True\.\.5"),
    "boolean weight": (lambda t: _first(t, "weight = 2.5", "weight = true"), r"has no numeric weight \(got True\)"),
    "string weight": (lambda t: _first(t, "weight = 2.5", 'weight = "2.5"'), r"has no numeric weight \(got '2.5'\)"),
    "float code": (lambda t: _first(t, 'code = "2"', "code = 2.0"), r"indicator code 2.0 must be a string"),
    "aspects not tables": (lambda t: "aspects = 'x'\n" + t.replace("[[aspects]]", "[[aspects_unused]]"), r"'aspects' must be a list of tables"),
    "kinds not tables": (lambda t: "kinds = 3\n" + re.sub(r"\[kinds\.\w+\][^\[]*", "", t), r"'kinds' must be a list of tables"),
    "level names not a table": (lambda t: _first(t, "level_names = {", "level_names = 5\nunused = {"), r"level_names and level_descriptions must be tables"),
    "subitems not a list": (lambda t: _first(t, 'code = "2"', 'code = "2"\nsubitems = 3'), r"sub-items of indicator '2' must be a list"),
    "name not text": (lambda t: _first(t, 'name = "spbe2020"', "name = 2020"), r"framework name must be text"),
    "weights sum 100.00001": (lambda t: _first(t, "weight = 2.5", "weight = 2.50001"), r"weights sum to 100.00001, not 100"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(HOLES))
def test_framework_holes_are_closed(tmp_path, case):
    mutate, expected = HOLES[case]
    path = tmp_path / "kerangka.toml"
    path.write_text(mutate(_builtin_text()), encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        spbe.load_framework(path)
    assert re.search(expected, exc.value.message), exc.value.message


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"\xff\xfe\x00n\x00a\x00m\x00e", "is not UTF-8 text"),
        (("a = " + "[" * 50_000 + "]" * 50_000).encode(), "nested too deeply|not valid TOML"),
    ],
)
def test_malformed_framework_files_give_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "rusak.toml"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=expected):
        spbe.load_framework(path)


def test_predicate_of_a_top_value_is_never_the_lowest_band():
    """The NaN-bound hole made predicate(4.9) 'Kurang'; with validated bands the top is the top."""
    assert spbe.predicate(4.9, "spbe2020") == "Memuaskan"


# --------------------------------------------------------------------------- level criteria and evidence
def test_every_2020_level_has_its_criterion_and_evidence():
    fw = spbe.load_framework("spbe2020")
    cells = [(c, lv) for c in fw.codes for lv in fw.levels]
    assert len(cells) == 235
    assert all(fw.criterion(c, lv) and fw.evidence(c, lv) for c, lv in cells)
    assert all(fw.evidence_note(c) for c in fw.codes)
    differs = sum(fw.criterion(c, lv) != fw.criterion(c, lv, wording="guide") for c, lv in cells)
    assert differs == 99  # the later guide rewords 99 cells (shared/reference/README.md)
    assert fw.criterion("1", 1).startswith("Konsep kebijakan internal terkait Arsitektur SPBE")
    assert "Manajemen Risiko" in fw.evidence("21", 4)
    with pytest.raises(ValidationError, match="Unknown criteria wording"):
        fw.criterion("1", 1, wording="pedoman")


def _criteria_copy(tmp_path, edit):
    crit = (resources.files("spbe_toolkit.frameworks") / "reference" / "spbe2020_criteria.csv").read_text(
        encoding="utf-8"
    )
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "spbe2020_criteria.csv").write_text(edit(crit), encoding="utf-8")
    path = tmp_path / "kerangka.toml"
    path.write_text(_builtin_text(), encoding="utf-8")
    return path


def test_a_criteria_file_with_an_unmarked_gap_is_refused(tmp_path):
    lines = None

    def drop_cell(text):
        nonlocal lines
        lines = text.splitlines()
        return "\n".join(line for line in lines if not line.startswith("21,4,"))

    with pytest.raises(
        ValidationError, match=r"indicator 21, level 4 are missing \(give the text, or write 'belum tersedia'\)"
    ):
        spbe.load_framework(_criteria_copy(tmp_path, drop_cell))


def test_explicitly_missing_criteria_load_and_read_as_none(tmp_path):
    def mark_missing(text):
        out = []
        for line in text.splitlines():
            if line.startswith("21,4,"):
                line = "21,4,belum tersedia,belum tersedia,belum tersedia,belum tersedia,,"
            out.append(line)
        return "\n".join(out)

    fw = spbe.load_framework(_criteria_copy(tmp_path, mark_missing))
    assert fw.criterion("21", 4) is None and fw.evidence("21", 4) is None and fw.criterion("21", 3)


def test_a_workspace_keeps_the_criteria_it_was_created_with(tmp_path):
    path = _criteria_copy(
        tmp_path, lambda t: t.replace("Konsep kebijakan internal terkait", "KONSEP kebijakan internal terkait", 1)
    )
    ws = spbe.Workspace.create(tmp_path / "w.sqlite", framework=path)
    ws.close()
    (tmp_path / "reference" / "spbe2020_criteria.csv").unlink()
    again = spbe.Workspace.open(tmp_path / "w.sqlite")
    assert again.framework.criterion("1", 1).startswith("KONSEP")
    again.close()


def test_evidence_texts_carry_no_copy_join():
    """The copy error of the evidence guide (indicator 34, level 4: "…lainnya.sitori API, …",
    a fragment of the text pasted after its end) is fixed in the package copy as in the shared
    reference; no evidence, criterion or guide text has a sentence run into a word again."""
    fw = spbe.load_framework("spbe2020")
    joined = re.compile(r"[a-z]\.[a-z]{3,}")
    for (code, level), cell in fw.criteria.items():
        for kind in ("regulation", "guide", "fulfilment", "evidence"):
            text = cell.get(kind) or ""
            assert not joined.search(text), (code, level, kind, joined.search(text).group())
    assert fw.criteria[("34", "4")]["evidence"].endswith(
        "repositori API, dan dokumentasi integrasi layanan SPBE lainnya."
    )

"""Deterministic synthetic sample data: filled templates plus evaluator ("final") levels.

Everything here is fictional and labelled so: instance names end in "(Sintetis)", file
names start with ``SINTETIS_``, and the instance block's contact field says
"data sintetis". Self-assessed levels are, as in real rounds, usually optimistic relative
to the evaluators' final levels.

Regenerate the committed samples with ``spbe samples --out data/samples`` (same seed, same
files) or :func:`generate_samples`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from spbe_toolkit.demo.pemdi import interview_notes, national_index_table, pemdi_levels
from spbe_toolkit.frameworks import Framework, load_framework
from spbe_toolkit.io.submissions import read_submissions
from spbe_toolkit.io.templates import template_rows, write_template
from spbe_toolkit.vocab import EVALUATOR_STAGES, INSTANCE_TYPES
from spbe_toolkit.workspace import Workspace

SEED = 20241
PREFIXES = [
    "Suka",
    "Karang",
    "Tanjung",
    "Sumber",
    "Bukit",
    "Muara",
    "Pasir",
    "Rawa",
    "Teluk",
    "Gunung",
    "Sungai",
    "Lembah",
]
SUFFIXES = ["maju", "sari", "jaya", "makmur", "indah", "asri", "raya", "mulya", "baru", "damai", "lestari", "harapan"]
PROVINCES = [
    "Jawa Barat",
    "Jawa Tengah",
    "Jawa Timur",
    "Sumatera Utara",
    "Sulawesi Selatan",
    "Kalimantan Timur",
    "Nusa Tenggara Timur",
    "Papua",
]
# per instance type (in the order of vocab.INSTANCE_TYPES): fictional central names, how many
# instances of each type a sample round holds (44 in all), and a latent capability shaped
# after the 2024 published means
CENTRAL_NAMES = dict(
    zip(
        INSTANCE_TYPES[:4],
        [
            ["Kementerian Urusan Contoh", "Kementerian Tata Kelola Percontohan", "Kementerian Layanan Simulasi",
             "Kementerian Data Rekaan"],
            ["Badan Statistik Rekaan", "Badan Riset Percontohan", "Badan Standar Simulasi"],
            ["Komisi Layanan Contoh", "Dewan Digital Rekaan", "Ombudsman Percontohan"],
            ["Sekretariat Lembaga Contoh", "Lembaga Penyiaran Rekaan"],
        ],
    )
)  # fmt: skip
TYPE_COUNTS = dict(zip(INSTANCE_TYPES, (4, 3, 3, 2, 6, 18, 8)))
TYPE_MEAN = dict(zip(INSTANCE_TYPES, (3.9, 3.7, 3.3, 3.2, 3.3, 2.9, 3.2)))
JUSTIFICATIONS = [
    "Kebijakan telah ditetapkan melalui peraturan kepala daerah dan diterapkan di seluruh perangkat daerah.",
    "Dokumen telah disusun dan disahkan; penerapan dipantau setiap semester.",
    "Aplikasi telah terintegrasi dengan sistem penghubung layanan nasional.",
    "Reviu dan evaluasi dilaksanakan secara berkala oleh Tim Koordinasi SPBE.",
    "Layanan telah mendukung transaksi elektronik dan tanda tangan elektronik.",
    "Penerapan baru pada sebagian unit kerja; perluasan direncanakan tahun depan.",
]


def _first_sentence(text: str, limit: int = 220) -> str:
    text = re.sub(r"^Kriteria tingkat \d+ telah terpenuhi(,| dan| serta)?\s*", "", text)  # the previous level: implied
    sentence = text.split(". Kondisi:")[0].split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def evaluator_note(fw: Framework, code: str, own: int, final: int) -> str:
    """A synthetic evaluator's note that agrees with the change it explains: the criterion of
    the level claimed (when lowered) or of the level granted (when raised), from the data."""
    if final == own:
        return ""
    base = fw.subitem_parent.get(code, code)
    level = own if final < own else final
    criterion = fw.criterion(base, level) if fw.has_criteria else None
    criterion = criterion or fw.kinds[fw.kind_of(base)].get("level_descriptions", {}).get(str(level), "")
    if final < own:
        return (f"Kriteria tingkat {own} belum terpenuhi ({_first_sentence(criterion)}); "
                f"bukti dukung yang ada mendukung tingkat {final}.")  # fmt: skip
    return f"Bukti dukung memenuhi kriteria tingkat {final}: {_first_sentence(criterion)}."


EVALUATOR_NOTES_DOWN = [
    "Bukti dukung belum menunjukkan penerapan di seluruh unit kerja.",
    "Dokumen kebijakan masih berupa rancangan dan belum ditetapkan.",
    "Hasil reviu berkala tidak ditemukan dalam bukti dukung.",
    "Integrasi dengan sistem nasional belum dapat dibuktikan saat interviu.",
    "Layanan masih bersifat informasi satu arah; fitur transaksi belum berjalan.",
]
EVALUATOR_NOTES_UP = [
    "Bukti tambahan saat interviu menunjukkan penerapan yang lebih luas.",
    "Verifikasi lapangan menunjukkan layanan telah terintegrasi.",
]
DOMAIN_OFFSET = {"D1": 0.3, "D2": -0.4, "D3": -1.2, "D4": 0.6}  # 2020 pattern: Manajemen lowest, Layanan highest


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _instances(rng: np.random.Generator, n_scale: int = 1) -> list[dict]:
    names_used: set[str] = set()
    out = []
    for t, count in TYPE_COUNTS.items():
        for k in range(count * n_scale):
            if t in CENTRAL_NAMES:
                base = CENTRAL_NAMES[t][k % len(CENTRAL_NAMES[t])]
                name = base if k < len(CENTRAL_NAMES[t]) else f"{base} {k // len(CENTRAL_NAMES[t]) + 1}"
                province = None
            else:
                place = rng.choice(PREFIXES) + rng.choice(SUFFIXES)
                name = f"{t} {place}"
                n = 2
                while name in names_used:  # 144 place names per type: number the repeats
                    name = f"{t} {place} {n}"
                    n += 1
                province = str(rng.choice(PROVINCES))
            names_used.add(name)
            out.append({"instance": f"{name} (Sintetis)", "instance_type": t, "province": province})
    return out


def synthetic_round(
    fw: Framework | str, *, seed: int = SEED, n_scale: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Instances, self-assessed levels and final levels of a synthetic round (deterministic).

    Returns ``(instances, self_levels, final_levels)``; level tables are tidy with columns
    instance, indicator, level (+ justification / evidence, or stage / evaluator / note).
    ``n_scale`` multiplies the number of instances (44 per unit) for benchmarks.
    """
    fw = load_framework(fw)
    rng = np.random.default_rng(seed)
    insts = _instances(rng, n_scale)
    if fw.decimals:  # Pemdi: decimal values, the assessor's findings, national indices (demo/pemdi.py)
        own, final = pemdi_levels(fw, insts, rng, lambda inst: TYPE_MEAN[inst["instance_type"]] + rng.normal(0, 0.45))
        return pd.DataFrame(insts), pd.DataFrame(own), pd.DataFrame(final)
    rows = template_rows(fw)
    # map each template row to an offset: by domain for 2018/2020, by aspect position for 2026
    aspects = fw.aspect_codes
    self_rows, final_rows = [], []
    for inst in insts:
        theta = TYPE_MEAN[inst["instance_type"]] + rng.normal(0, 0.45) - (0.6 if fw.level_min == 0 else 0)
        team = f"Tim Asesor {rng.integers(1, 6)}"
        for rec in rows:
            if rec["domain"]:
                off = (
                    DOMAIN_OFFSET.get(rec["domain"], 0.0)
                    if fw.name == "spbe2020"
                    else {"D1": 0.0, "D2": -0.3, "D3": 0.4}.get(rec["domain"], 0)
                )
            else:
                off = 0.5 - 0.25 * aspects.index(rec["aspect"])
            final = int(np.clip(np.round(theta + off + rng.normal(0, 0.7)), fw.level_min, fw.level_max))
            optimism = rng.choice([0, 1, 2, -1], p=[0.55, 0.33, 0.08, 0.04])
            own = int(np.clip(final + optimism, fw.level_min, fw.level_max))
            code = rec["indicator"]
            slug = _slug(inst["instance"].replace("(Sintetis)", ""))
            self_rows.append(
                {
                    "instance": inst["instance"],
                    "indicator": code,
                    "level": own,
                    "justification": str(rng.choice(JUSTIFICATIONS)),
                    "evidence": f"https://bukti.contoh.invalid/{slug}/indikator-{code}.pdf",
                }
            )
            if final != own:  # the draw keeps the random stream, and so every sample level, as it was
                rng.choice(EVALUATOR_NOTES_DOWN if final < own else EVALUATOR_NOTES_UP)
            note = evaluator_note(fw, code, own, final)
            final_rows.append(
                {
                    "instance": inst["instance"],
                    "indicator": code,
                    "stage": "final",
                    "level": final,
                    "evaluator": team,
                    "note": note,
                }
            )
    return pd.DataFrame(insts), pd.DataFrame(self_rows), pd.DataFrame(final_rows)


def generate_samples(
    out_dir: str | Path,
    frameworks: list[str] | None = None,
    *,
    seed: int = SEED,
    n_scale: int = 1,
    year: int | None = None,
) -> list[Path]:
    """Write filled templates and ``final_levels_SINTETIS.csv`` per framework under ``out_dir``.

    Layout: ``out_dir/<framework>/SINTETIS_###_<slug>.xlsx`` and
    ``out_dir/penilaian/<framework>_final_levels_SINTETIS.csv`` (the evaluators' levels live
    apart so that reading a framework folder loads only the self-assessments).
    """
    frameworks = frameworks or ["spbe2018", "spbe2020", "pemdi2026"]
    written: list[Path] = []
    for name in frameworks:
        fw = load_framework(name)
        yr = year or {"spbe2018": 2019, "spbe2020": 2024, "pemdi2026": 2026}.get(name, 2026)
        insts, own, final = synthetic_round(fw, seed=seed, n_scale=n_scale)
        folder = Path(out_dir) / name
        folder.mkdir(parents=True, exist_ok=True)
        by_inst = {k: g for k, g in own.groupby("instance", sort=False)}
        for i, inst in enumerate(insts.itertuples(index=False), start=1):
            g = by_inst[inst.instance]
            levels = {
                r.indicator: {"level": r.level, "justification": r.justification, "evidence": r.evidence}
                for r in g.itertuples()
            }
            slug = _slug(inst.instance.replace("(Sintetis)", ""))
            path = folder / f"SINTETIS_{i:03d}_{slug}.xlsx"
            write_template(
                path,
                fw,
                instance={
                    "instance": inst.instance,
                    "instance_type": inst.instance_type,
                    "province": inst.province,
                    "year": yr,
                    "contact": "data sintetis — bukan instansi nyata",
                },
                levels=levels,
            )
            written.append(path)
        (Path(out_dir) / "penilaian").mkdir(exist_ok=True)
        fpath = Path(out_dir) / "penilaian" / f"{name}_final_levels_SINTETIS.csv"
        with fpath.open("w", encoding="utf-8", newline="") as fh:
            fh.write(
                f"# DATA SINTETIS (synthetic, not real instances) — spbe-toolkit samples, seed {seed}, framework {name}, year {yr}\n"
            )
            final.to_csv(fh, index=False)
        written.append(fpath)
        if fw.external:
            ipath = Path(out_dir) / "penilaian" / f"{name}_indeks_nasional_SINTETIS.csv"
            with ipath.open("w", encoding="utf-8", newline="") as fh:
                fh.write(f"# DATA SINTETIS (synthetic national-index values, not real) — spbe-toolkit samples, seed {seed}, "
                         f"framework {name}, year {yr}\n")  # fmt: skip
                national_index_table(fw, insts.to_dict("records"), np.random.default_rng(seed + 1)).to_csv(
                    fh, index=False
                )
            written.append(ipath)
    broken = Path(out_dir) / "contoh_rusak" / "SINTETIS_contoh_rusak_spbe2020.xlsx"
    written.append(write_broken_example(broken, seed=seed))
    return written


def write_broken_example(path: str | Path, *, seed: int = SEED) -> Path:
    """A filled spbe2020 template with deliberate mistakes, for demonstrating the problems report.

    It holds a level out of range (7), a decimal level ("2,5"), a level with its name
    ("3 - Terdefinisi", accepted with a warning) and an empty level.
    """
    fw = load_framework("spbe2020")
    _insts, own, _final = synthetic_round(fw, seed=seed)
    first = own["instance"].iat[0]
    g = own[own["instance"] == first]
    levels = {
        r.indicator: {"level": r.level, "justification": r.justification, "evidence": r.evidence}
        for r in g.itertuples()
    }
    levels["3"]["level"] = 7
    levels["15"]["level"] = "2,5"
    levels["21"]["level"] = "3 - Terdefinisi"
    levels["40"]["level"] = None
    return write_template(
        path,
        fw,
        instance={
            "instance": "Pemerintah Kabupaten Contohsalah (Sintetis)",
            "instance_type": INSTANCE_TYPES[5],  # Pemerintah Kabupaten
            "province": "Jawa Tengah",
            "year": 2024,
            "contact": "data sintetis — contoh berkas bermasalah",
        },
        levels=levels,
    )


def read_final_levels(path: str | Path) -> pd.DataFrame:
    """Read a ``<framework>_final_levels_SINTETIS.csv`` (skips its '#' provenance line)."""
    text = {c: str for c in ("indicator", "note", "evaluator", "finding", "recommendation", "uploaded",
                             "interviewed", "approved", "no_evidence")}  # fmt: skip
    return pd.read_csv(path, comment="#", dtype=text, keep_default_na=False)


def sample_paths(framework: str) -> tuple[Path, Path]:
    """(folder of filled templates, final-levels CSV) of the bundled synthetic sample."""
    from spbe_toolkit.paths import data_dir

    base = data_dir("samples")
    return base / framework, base / "penilaian" / f"{framework}_final_levels_SINTETIS.csv"


def sample_letter_profile() -> Path:
    """The bundled synthetic letter profile (letterhead, signer, copies; not a real team)."""
    from spbe_toolkit.paths import data_dir

    return data_dir("samples") / "profil_surat_sintetis.toml"


def broken_example_path() -> Path:
    """The bundled deliberately broken spbe2020 template (see :func:`write_broken_example`)."""
    from spbe_toolkit.paths import data_dir

    return data_dir("samples") / "contoh_rusak" / "SINTETIS_contoh_rusak_spbe2020.xlsx"


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
        if ws.framework.external:  # Pemdi: national-index values for most instances, and interview notes
            index_csv = final_csv.with_name(f"{framework}_indeks_nasional_SINTETIS.csv")
            values = pd.read_csv(index_csv, comment="#")
            if instances is not None:
                values = values[values["instansi"].isin(list(instances))]
            ws.import_national_index(values, evaluator=evaluator, stage="final", source="SINTETIS")
            for note in interview_notes([{"instance": n} for n in final["instance"].drop_duplicates()]):
                ws.record_interview_note(note["instance"], note["topic"], note["note"], indicators=note["indicators"],
                                         commitment=note["commitment"], evaluator=evaluator)  # fmt: skip
    return ws


SAMPLE_TEAMS = {"Tim A (sintetis)": ["Ani", "Citra"], "Tim B (sintetis)": ["Budi", "Dedi"]}
"""Two synthetic evaluator teams for the team-round walkthrough (notebook 02)."""


def synthetic_assignments(instances: Iterable[str], teams: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """A synthetic assignment table (instance, evaluator, team): the instances dealt out in
    turn to the evaluators of ``teams`` (default :data:`SAMPLE_TEAMS`), for demos."""
    people = [(evaluator, team) for team, names in (teams or SAMPLE_TEAMS).items() for evaluator in names]
    rows = [(name, *people[i % len(people)]) for i, name in enumerate(instances)]
    return pd.DataFrame(rows, columns=["instance", "evaluator", "team"])


def synthetic_reviews(ws: Workspace, *, team: str, stage: str = EVALUATOR_STAGES[0]) -> pd.DataFrame:
    """The team's spreadsheet of changes: the bundled synthetic final levels that differ from
    the self-assessment, for the instances assigned to ``team`` in ``ws``, as if its evaluators
    had set them at ``stage`` — a table for :meth:`Workspace.import_levels` (instance,
    indicator, level, stage, evaluator = the assigned evaluator, note)."""
    _folder, final_csv = sample_paths(ws.framework.name)
    final = read_final_levels(final_csv).drop(columns=["evaluator", "stage"])
    assigned = ws.assignments()
    assigned = assigned[assigned["team"] == team][["instance", "evaluator"]]
    own = ws.self_assessment()[["instance", "indicator", "level"]].rename(columns={"level": "self_level"})
    out = final.merge(assigned, on="instance").merge(own, on=["instance", "indicator"])
    out = out[out["level"] != out["self_level"]].reset_index(drop=True)
    out["stage"] = stage
    return out[["instance", "indicator", "level", "stage", "evaluator", "note"]]

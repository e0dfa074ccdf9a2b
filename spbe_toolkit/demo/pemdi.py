"""A synthetic Pemdi 2026 round as it is assessed: decimal values, the assessor's verification,
catatan and rekomendasi per indicator, interview notes, and values of the national indices
that feed indicators 5, 6, 7 and 18.

Everything here is fictional and labelled so (instances end in "(Sintetis)", files start or end
with ``SINTETIS``). The wording of the synthetic findings follows the shape of a real 2026
assessor result (shared/reference/PEMDI_2026_ASSESSMENT.md, S20) without copying it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from spbe_toolkit.frameworks import Framework
from spbe_toolkit.i18n import number

# What an assessor writes, by how the evidence fared (the value against the self-assessment).
FINDINGS_LOWER = [
    "Bukti dukung yang diberikan belum sesuai: dokumen yang diunggah tidak menunjukkan pelaksanaan {name}.",
    "Bukti dukung baru berupa rencana; belum ada bukti pelaksanaan {name} di seluruh perangkat daerah.",
    "Dokumen yang diunggah belum ditetapkan; {name} masih pada tahap rintisan.",
]
FINDINGS_SAME = [
    "Bukti dukung sesuai dengan penilaian mandiri untuk {name}.",
    "Sudah ada pelaksanaan terkait {name}; perlu dilanjutkan sesuai pedoman yang berlaku.",
]
FINDINGS_NONE = "Belum ada bukti dukung terkait {name}."
RECOMMENDATIONS = [
    "Perlu perencanaan {name} yang dituangkan dalam dokumen perencanaan tahunan dan dikoordinasikan oleh tim koordinasi Pemdi.",
    "Perlu bukti pelaksanaan {name} untuk seluruh layanan digital, mengikuti pedoman yang ditetapkan secara nasional.",
    "Perlu pemantauan dan evaluasi berkala atas {name}, dengan laporan tindak lanjut yang dapat diakses pimpinan.",
]
INTERVIEW_TOPICS = [
    (
        "Tata Kelola",
        "1",
        "Perlu pemutakhiran dokumen perencanaan Pemdi.",
        "akan disusulkan dokumen perencanaan tahunan",
    ),
    ("SDM", "3", "Bukti komunitas belajar belum diunggah.", "akan disusulkan bukti komunitas belajar"),
    ("Keamanan", "10, 11, 12", "Asesmen keamanan internal baru dimulai.", "akan disusulkan hasil asesmen"),
]
INDEX_COVERAGE = 0.75  # share of instances whose national-index values are already in (the rest stay provisional)


def _name(fw: Framework, code: str) -> str:
    text = fw.entry_name(code)
    for prefix in ("Tingkat Kematangan ", "Tingkat "):
        text = text.removeprefix(prefix)
    return " ".join(w if w in ("Pemdi", "SDM") or w.isupper() else w.lower() for w in text.split())


def _money(value: float) -> float:
    return float(np.round(value, 2))


def pemdi_levels(fw: Framework, insts: list[dict], rng: np.random.Generator, theta_of) -> tuple[list, list]:
    """Self-assessed values (the indicators fed by national indices left empty, as instances do)
    and the assessor's table (value, verification, catatan, rekomendasi) of a synthetic round."""
    aspects = fw.aspect_codes
    ind = fw.indicators.set_index("indicator")
    self_rows, final_rows = [], []
    for inst in insts:
        theta = theta_of(inst) - 1.6  # the first Pemdi round scores low (S20: a regency at 1,24)
        team = f"Tim Asesor {rng.integers(1, 6)}"
        for code in fw.codes:
            off = 0.5 - 0.25 * aspects.index(ind.at[code, "aspect"])
            final = _money(np.clip(theta + off + rng.normal(0, 0.5), fw.level_min, fw.level_max))
            if fw.is_external(code):
                continue  # assessed from a national index: left empty in the submission
            optimism = rng.choice([0.0, 0.25, 0.5, 1.0, -0.25], p=[0.45, 0.25, 0.18, 0.08, 0.04])
            own = _money(np.clip(final + optimism, fw.level_min, fw.level_max))
            no_evidence = bool(rng.random() < 0.08)
            if no_evidence:
                final = float(fw.level_min)
            name = _name(fw, code)
            self_rows.append({"instance": inst["instance"], "indicator": code, "level": own,
                              "justification": "Penjelasan penilaian mandiri (sintetis).",
                              "evidence": f"https://bukti.contoh.invalid/pemdi/{code}.pdf"})  # fmt: skip
            if no_evidence:
                finding, marks = FINDINGS_NONE.format(name=name), ("tidak", "tidak", "tidak")
            elif final < own:
                finding = str(rng.choice(FINDINGS_LOWER)).format(name=name)
                marks = ("ya", str(rng.choice(["ya", "tidak"])), "tidak")
            else:
                finding = str(rng.choice(FINDINGS_SAME)).format(name=name)
                marks = ("ya", str(rng.choice(["ya", "ya", "tidak"])), "ya")
            note = (
                "" if final == own else f"Nilai asesor {number(final, 'id')} (mandiri {number(own, 'id')}): {finding}"
            )
            final_rows.append({
                "instance": inst["instance"], "indicator": code, "stage": "final", "level": final,
                "evaluator": team, "note": note, "finding": finding,
                "recommendation": str(rng.choice(RECOMMENDATIONS)).format(name=name),
                "uploaded": marks[0], "interviewed": marks[1], "approved": marks[2],
                "no_evidence": "ya" if no_evidence else "tidak",
            })  # fmt: skip
    return self_rows, final_rows


def national_index_table(fw: Framework, insts: list[dict], rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic values of the national indices for most instances (``instansi, indeks, nilai``,
    as a team receives them); the others have none yet and stay provisional."""
    rows = []
    for inst in insts:
        if rng.random() > INDEX_COVERAGE:
            continue
        for ext in fw.external.values():
            span = ext.raw_max - ext.raw_min
            raw = np.clip(ext.raw_min + span * rng.beta(2.2, 3.0), ext.raw_min, ext.raw_max)
            rows.append({"instansi": inst["instance"], "indeks": ext.code.upper() if ext.code == "sdi" else ext.name,
                         "nilai": round(float(raw), 2)})  # fmt: skip
    return pd.DataFrame(rows, columns=["instansi", "indeks", "nilai"])


def interview_notes(insts: list[dict]) -> list[dict]:
    """A few synthetic interview notes per instance (topic, indicators, note, commitment)."""
    return [
        {"instance": inst["instance"], "topic": topic, "indicators": codes, "note": note, "commitment": commit}
        for inst in insts
        for topic, codes, note, commit in INTERVIEW_TOPICS
    ]

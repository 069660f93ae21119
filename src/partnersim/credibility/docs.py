"""Tables for docs/ODD.md generated from the declarations and data files (never hand-copied).

``python -m partnersim.credibility.docs docs/ODD.md`` rewrites the regions between
``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->``; a test checks that
the committed document matches.
"""

from __future__ import annotations

import sys
from pathlib import Path

from partnersim import data
from partnersim.credibility.writing import splice
from partnersim.schema.levers import SECTIONS, Section


def _escape(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameters_table() -> str:
    """Every scenario parameter: section, range, default, unit, mechanism, source."""
    lines = [
        "| parameter | table | allowed | default | unit | mechanism | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for section, params in SECTIONS.items():
        for p in params:
            lines.append(
                f"| `{p.name}` | `[{section.value}]` | {_escape(p.allowed())} | {p.default!r} | "
                f"{_escape(p.unit)} | {_escape(p.doc)} | {_escape(p.source)} |"
            )
    return "\n".join(lines)


def levers_table() -> str:
    """Each lever: the report's recommendation, the UK instrument, the evidence for its effect."""
    lines = [
        "| lever | recommendation | UK instrument | effect size: evidence or uncertainty |",
        "|---|---|---|---|",
    ]
    for p in SECTIONS[Section.LEVERS]:
        lines.append(
            f"| `{p.name}` | {_escape(p.recommendation)} | {_escape(p.instrument)} | "
            f"{_escape(p.evidence)} |"
        )
    return "\n".join(lines)


def uncertainties_table() -> str:
    """Each uncertainty: its plausible range (what plausible worlds vary) and why."""
    lines = ["| uncertainty | value | plausible range | why |", "|---|---|---|---|"]
    for p in SECTIONS[Section.UNCERTAINTIES]:
        if p.choices is not None:
            span = " / ".join(p.choices)
        else:
            low, high = p.plausible or (p.low, p.high)
            span = f"{low:g}–{high:g}"
        lines.append(f"| `{p.name}` | {p.default!r} | {span} | {_escape(p.evidence or p.source)} |")
    return "\n".join(lines)


def assumptions_table() -> str:
    """Every constant of data/assumptions.toml, by group, with the bounds a scenario may set."""
    out = []
    for group, entries in data.read("assumptions").items():
        out += [
            f"**[{group}]** (set in a scenario as `[assumptions]` `{group}.<name> = value`)",
            "",
            "| name | value | bounds | plausible | unit | role and reasoning | why the range |",
            "|---|---|---|---|---|---|---|",
        ]
        out += [
            f"| `{k}` | {v['value']} | {v['bounds'][0]:g}–{v['bounds'][1]:g} | "
            + (f"{v['plausible'][0]:g}–{v['plausible'][1]:g}" if "plausible" in v else "fixed")
            + f" | {_escape(v['unit'])} | {_escape(v['doc'])} | "
            f"{_escape(v.get('plausible_reason', ''))} |"
            for k, v in entries.items()
        ]
        out.append("")
    out += [
        f"**[{data.APPROXIMATE_GROUP}]** approximate data figures (`data/departments.toml`), set "
        f"in a scenario as `{data.APPROXIMATE_GROUP}.<CODE>_del_gbp_m = value` and varied by "
        "plausible worlds over the range their note states",
        "",
        "| name | value | bounds | plausible | unit | source | why the range |",
        "|---|---|---|---|---|---|---|",
    ]
    out += [
        f"| `{name.split('.', 1)[1]}` | {f.value:g} | {f.low:g}–{f.high:g} | "
        f"{f.plausible[0]:g}–{f.plausible[1]:g} | {_escape(f.unit)} | {_escape(f.doc)} | "
        f"{_escape(f.plausible_reason)} |"
        for name, f in data.approximate_figures().items()
        if f.plausible is not None
    ]
    return "\n".join(out).rstrip()


def missions_table() -> str:
    """The five missions: indicator, baseline, target, deadline, sources."""
    lines = [
        "| mission | indicator (unit) | baseline | target | deadline (step) | sources |",
        "|---|---|---|---|---|---|",
    ]
    for m in data.missions():
        sign = "≥" if m.higher_is_better else "≤"
        lines.append(
            f"| {m.label} | {_escape(m.indicator)} ({_escape(m.unit)}) | {m.baseline:,g} | "
            f"{sign} {m.target:,g} | {m.target_deadline} ({m.deadline_step}) | "
            f"{_escape(m.baseline_source)}; {_escape(m.target_source)} |"
        )
    return "\n".join(lines)


def delivery_table() -> str:
    """Each mission's delivery law and its fitted parameters (``data/delivery.toml``)."""
    raw = data.read("delivery")
    lines = [
        f"Written by `{_escape(raw['command'])}`; the fits, moments and hold-outs are in "
        "docs/validation.md.",
        "",
        "| mission | law | scale | speed / quarter | noise / quarter | random walk / quarter | "
        "other fitted values |",
        "|---|---|---|---|---|---|---|",
    ]
    shown = {"speed", "noise", "walk"}
    for r in raw["mission"]:
        other = ", ".join(
            f"{k} {v:.4g}"
            for k, v in r.items()
            if isinstance(v, int | float)
            and k not in shown
            and not k.startswith("holdout")
            and k != "n_observations"
        )

        def cell(key: str, r=r) -> str:
            return f"{r[key]:.4g}" if key in r else "–"

        lines.append(
            f"| {r['mission']} | {r['law']} | {r['scale']} | {cell('speed')} | {cell('noise')} | "
            f"{cell('walk')} | {other} |"
        )
    return "\n".join(lines)


GENERATORS = {
    "parameters": parameters_table,
    "levers": levers_table,
    "uncertainties": uncertainties_table,
    "assumptions": assumptions_table,
    "missions": missions_table,
    "delivery": delivery_table,
}


def render(text: str) -> str:
    """Replace every generated region of ``text`` with fresh content."""
    for name, fn in GENERATORS.items():
        text = splice(text, f"GENERATED: {name}", fn())
    return text


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        path = Path(arg)
        path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")

"""A stage's contract is declared once: ARCHITECTURE.md's "To add a stage" list is the true list of edits.

Each stage package declares what it writes (an ``outdir.Output``, beside the code that writes it);
``stages.STAGES`` takes each stage's marker and records from that declaration, ``outdir`` and the commands
take the same object, and the run layer and the commands spell none of the names a stage writes. These
tests fail when a second table of stages or outputs comes back (as ``outdir.OUTPUTS`` once repeated the
markers of ``stages.py``), or when the list in ARCHITECTURE.md names a place that is not there.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from embedforge.outdir import Output
from embedforge.pipeline.stages import STAGE_NAMES, STAGES

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "embedforge"
STAGE_PACKAGES = ("corpus", "generators", "dataset", "training", "evaluation")
# The modules that run stages or commands: they take the stages' declarations and spell no output name.
RUN_LAYER = ("pipeline", "outdir.py", "commands")


def _module(path: Path) -> str:
    return ".".join(path.relative_to(SRC.parent).with_suffix("").parts)


def _declaring_modules() -> dict[str, list[str]]:
    """Module -> the names it assigns an ``Output(...)`` to; every ``Output(...)`` under src/ is listed."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "Output"]
        top = [n for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
               and getattr(n.value.func, "id", None) == "Output"]
        assert len(calls) == len(top), f"{path}: an Output not assigned to a module-level name; declare it once"
        if top:
            found[_module(path)] = [t.id for n in top for t in n.targets if isinstance(t, ast.Name)]
    return found


def _declared() -> dict[str, Output]:
    return {f"{module}.{name}": getattr(importlib.import_module(module), name)
            for module, names in _declaring_modules().items() for name in names}


def test_outputs_are_declared_by_stage_packages_only() -> None:
    modules = _declaring_modules()
    assert modules, "no Output declaration found"
    for module in modules:
        assert module.split(".")[1] in STAGE_PACKAGES, f"{module}: an Output belongs to the stage that writes it"
    kinds = [output.kind for output in _declared().values()]
    assert len(kinds) == len(set(kinds)), f"an output declared twice: {sorted(kinds)}"


def test_every_stage_takes_its_marker_and_records_from_its_package_declaration() -> None:
    declared = list(_declared().values())
    for stage in STAGES:
        mine = [o for o in declared if (marker := o.finished or o.complete)
                and stage.marker in (marker, f"{stage.output}/{marker}")]
        assert mine, f"stage {stage.name}: its marker {stage.marker} is in no package's Output"
        folder = stage.output != stage.marker
        assert any(stage.records == (tuple(sorted(o.records)) if folder else ()) for o in mine), stage.name


def _strings(path: Path) -> set[str]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs}


def test_the_run_layer_and_the_commands_spell_no_output_name() -> None:
    names = set().union(*({*o.writes, *o.records, o.finished, o.complete, o.staging} for o in _declared().values()))
    names.discard(None)
    files = [p for part in RUN_LAYER
             for p in ([SRC / part] if part.endswith(".py") else sorted((SRC / part).glob("*.py")))]
    spelled = {str(p.relative_to(SRC)): sorted(_strings(p) & names) for p in files}
    assert not {k: v for k, v in spelled.items() if v}, "import the name from the stage package that writes it"


def _tables(path: Path) -> list[int]:
    """Lines of module-level tuples, lists or sets whose strings are exactly the stage names (a second list of
    stages; a dict of per-stage parameters, such as a test's timings, is not one)."""
    lines = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        items = value.elts if isinstance(value, ast.Tuple | ast.List | ast.Set) else []
        strings = {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
        if strings == set(STAGE_NAMES):
            lines.append(node.lineno)
    return lines


def test_no_second_table_of_stages() -> None:
    files = [*SRC.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    tables = {str(p.relative_to(ROOT)): _tables(p) for p in files}
    assert not {k: v for k, v in tables.items() if v}, "loop over embedforge.pipeline.stages.STAGES instead"


def test_architecture_lists_the_true_edits_to_add_a_stage() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    match = re.search(r"\*\*To add a stage\*\* \((\d+) edits;[^\n]*\n((?:\d+\. [^\n]*\n)+)", text)
    assert match, "ARCHITECTURE.md: no '**To add a stage** (N edits; ...)' list"
    items = match.group(2).splitlines()
    assert int(match.group(1)) == len(items) == 4
    places = [re.match(r"\d+\. `([^`]+)`", item).group(1) for item in items]  # type: ignore[union-attr]
    for place in places:
        targets = [place.replace("<stage>", p) for p in STAGE_PACKAGES] if "<stage>" in place else [place]
        assert all((ROOT / t).exists() for t in targets), place
    # The four places are where each stage appears: its package, its RunConfig section, its run function, its entry.
    stages_py = (SRC / "pipeline" / "stages.py").read_text(encoding="utf-8")
    stage_runs_py = (SRC / "pipeline" / "stage_runs.py").read_text(encoding="utf-8")
    for stage in STAGES:
        assert f'Stage.writing("{stage.name}"' in stages_py
        assert f"def {stage.run.__name__}(" in stage_runs_py
        assert stage.run.__module__ == "embedforge.pipeline.stage_runs"

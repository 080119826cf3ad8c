"""The examples under examples/python run as written (the README snippet too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "python"


def run(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart(tmp_path: Path) -> None:
    out = run(str(EXAMPLES / "quickstart.py"), cwd=tmp_path)
    assert out.split() == ["3.00", "37", "37"]


def test_month_report(tmp_path: Path) -> None:
    out = run(str(EXAMPLES / "month_report.py"), "--csv", "march.csv", cwd=tmp_path)
    assert "2026-03 (UTC)" in out
    for vendor in ("bakery", "corner-shop", "kiosk"):
        assert vendor in out
    assert "2026-03-31" in out
    assert (tmp_path / "march.csv").read_text().startswith("tx_id,at,kind,account,points")


def test_month_report_on_a_sqlite_file(tmp_path: Path) -> None:
    out = run(str(EXAMPLES / "month_report.py"), str(tmp_path / "empty.db"), "--month", "2026-01", cwd=tmp_path)
    assert "0 journal lines" in out


def python_blocks(readme: Path) -> list[str]:
    """The ```python blocks of a Markdown file."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        if current is None and line.strip() == "```python":
            current = []
        elif current is not None and line.strip() == "```":
            blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_readme_snippets_run_as_written(tmp_path: Path) -> None:
    root = EXAMPLES.parents[1]
    ours = python_blocks(root / "bindings" / "python" / "README.md")
    assert ours, "the binding's README shows a Python example"
    # The repository README's Python examples (if any) must run as well.
    for i, block in enumerate(ours + python_blocks(root / "README.md")):
        script = tmp_path / f"snippet_{i}.py"
        script.write_text(block, encoding="utf-8")
        out = run(str(script), cwd=tmp_path)
        if i == 0:
            assert out.split() == ["3.00", "37", "37"]

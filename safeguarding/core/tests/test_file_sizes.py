"""Every file of the project's code stays under 600 lines (docs/decisions/0064).

A long file hides a pipeline or a sub-app; past this size it is split by subject into a
package. Migrations are written by `makemigrations` and are left out; so are the lock
files and data, which are not read as code.
"""

from __future__ import annotations

from pathlib import Path

import safeguarding

REPO = Path(safeguarding.__file__).resolve().parent.parent
LIMIT = 600
CODE_SUFFIXES = {".py", ".html", ".txt", ".js", ".mjs", ".scss", ".css", ".sh"}
SKIPPED_PARTS = {".venv", "node_modules", "build", "migrations", ".git", "__pycache__", "data"}
FOLDERS = ("safeguarding", "bench", "frontend", "scripts", ".ci")


def code_files(repo: Path) -> list[Path]:
    found = []
    for folder in FOLDERS:
        for path in (repo / folder).rglob("*"):
            parts = set(path.relative_to(repo).parts)
            if path.is_file() and path.suffix in CODE_SUFFIXES and not parts & SKIPPED_PARTS:
                found.append(path)
    return found


def too_long(paths: list[Path]) -> dict[str, int]:
    lengths = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in paths}
    return {str(path): lines for path, lines in lengths.items() if lines >= LIMIT}


def test_every_code_file_is_under_600_lines() -> None:
    files = code_files(REPO)
    assert len(files) > 300, "the walk found the project's files"
    assert not too_long(files), f"split these by subject: {too_long(files)}"


def test_the_check_finds_a_long_file(tmp_path: Path) -> None:
    (tmp_path / "safeguarding" / "app").mkdir(parents=True)
    (tmp_path / "safeguarding" / "app" / "long.py").write_text("x = 1\n" * LIMIT)
    (tmp_path / "safeguarding" / "app" / "short.py").write_text("x = 1\n" * (LIMIT - 1))
    (tmp_path / "safeguarding" / "migrations").mkdir()
    (tmp_path / "safeguarding" / "migrations" / "0001.py").write_text("x = 1\n" * 2000)
    found = too_long(code_files(tmp_path))
    assert list(found.values()) == [LIMIT] and "long.py" in next(iter(found))

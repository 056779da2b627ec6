import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def find_cli():
    """The repository's own `mrbench` build (release first), else one on PATH; None if there is none."""
    for config in ("release", "debug"):
        p = REPO / ".build" / config / "mrbench"
        if p.is_file():
            return str(p)
    return shutil.which("mrbench")


@pytest.fixture(scope="session")
def cli():
    path = find_cli()
    if path is None:
        pytest.skip("no mrbench executable (build it with `swift build`) to compare rollouts against")
    return path

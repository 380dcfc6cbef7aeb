"""Where the plugin's resources are: inside the installed plugin, or at the top of the source tree."""

from __future__ import annotations

from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parent


def resources_dir() -> Path:
    for candidate in (PLUGIN_DIR / "resources", PLUGIN_DIR.parent / "resources"):
        if (candidate / "icons").is_dir():
            return candidate
    raise FileNotFoundError(f"Hotspot Patrol resources not found next to {PLUGIN_DIR}")


def resource(*parts: str) -> str:
    """Absolute path of a file under resources/ (e.g. resource("icons", "hotspot_patrol.svg"))."""
    return str(resources_dir().joinpath(*parts))


def metadata_path() -> Path:
    for candidate in (PLUGIN_DIR / "metadata.txt", PLUGIN_DIR.parent / "metadata.txt"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("metadata.txt not found")

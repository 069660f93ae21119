"""MkDocs hooks: the site's pages that come from elsewhere in the repository.

The notebooks as tutorials, the changelog and citation from the repository root, and the
version in the site's name, so that nothing in the site is a copy that can drift.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Name the site with the package's version (the one source: ``partnersim.__version__``)."""
    import partnersim

    config.site_name = f"partnersim {partnersim.__version__}"
    return config


@event_priority(100)  # before mkdocs-jupyter, which converts the .ipynb files it finds
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the notebooks (as ``tutorials/``), the changelog and the citation page."""
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        files.append(
            File.generated(config, f"tutorials/{notebook.name}", abs_src_path=str(notebook))
        )
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    files.append(File.generated(config, "changelog.md", content=changelog))
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    files.append(File.generated(config, "citing.md", content=CITING.format(citation=citation)))
    return files


CITING = """# Citing partnersim

If you publish results made with partnersim, cite the version you used — the version is in
every results folder's `manifest.json`, and the [changelog](changelog.md) says, version by
version, whether model results changed. The repository's `CITATION.cff` (shown below) is the
machine-readable form; GitHub, Zenodo and reference managers read it.

```yaml
{citation}```
"""

"""Build hook: wheels carry a copy of the top-level ``prompts/`` as ``extract/prompts/``.

The prompt templates live at the repository top (``prompts/``), where they are edited and
reviewed. A checkout or an editable install reads them there; an installed wheel has no
repository, so ``build_py`` copies them into the package, where
``extract/backends/llm/prompts.py`` looks last (after ``$EXTRACT_PROMPTS_DIR`` and the
source tree). One source of truth, no symlink. Everything else about the build is in
pyproject.toml; MANIFEST.in puts ``prompts/`` into sdists so a wheel built from an sdist
gets them too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PROMPTS = Path(__file__).resolve().parent / "prompts"


class BuildPyWithPrompts(build_py):
    """``build_py`` that also copies ``prompts/*.j2`` to ``<build>/extract/prompts/``."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "extract" / "prompts"
        target.mkdir(parents=True, exist_ok=True)
        for template in sorted(PROMPTS.glob("*.j2")):
            shutil.copy2(template, target / template.name)


setup(cmdclass={"build_py": BuildPyWithPrompts})

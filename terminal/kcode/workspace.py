"""The working directory kcode is confined to."""

from __future__ import annotations

from pathlib import Path


class ToolError(Exception):
    """A tool could not do what was asked; the message goes back to the model."""


class Workspace:
    """Resolves paths the model names, refusing any that lead outside the root."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve(strict=True)
        if not self.root.is_dir():
            raise NotADirectoryError(f"{self.root} is not a directory")

    def resolve(self, path: str) -> Path:
        """The real path of `path` (symlinks followed), if it lies inside the root."""
        if "\0" in path:
            raise ToolError("The path contains a NUL byte.")
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root):
            raise ToolError(f"{path!r} is outside the working directory {self.root}.")
        return target

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def read_text(self, path: str, limit: int) -> str:
        """A UTF-8 text file inside the root, refused above `limit` bytes."""
        target = self.resolve(path)
        if not target.is_file():
            raise ToolError(f"{path!r} is not a file.")
        with target.open("rb") as file:
            data = file.read(limit + 1)
        if len(data) > limit:
            raise ToolError(f"{path!r} is larger than the limit of {limit} bytes.")
        if b"\0" in data:
            raise ToolError(f"{path!r} is a binary file.")
        try:
            return data.decode()
        except UnicodeDecodeError:
            raise ToolError(f"{path!r} is not UTF-8 text.") from None

"""kcode's tools, confinement and tool-call parsing, called directly as plain functions."""

import pytest

from terminal.kcode import settings as conf
from terminal.kcode.render import complete_blocks
from terminal.kcode.toolcalls import fenced, find_call
from terminal.kcode.tools import TOOLS, validate_args
from terminal.kcode.workspace import ToolError, Workspace


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "work"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def main():\n    return 42\n")
    (root / "notes.txt").write_text("alpha\nbeta\n")
    (tmp_path / "secret.txt").write_text("password = hunter2\n")
    return Workspace(root)


async def run(workspace, name, **args):
    tool = TOOLS[name]
    return await tool.run(workspace, validate_args(tool, args))


@pytest.mark.parametrize("path", ["../secret.txt", "src/../../secret.txt", "/etc/passwd", "link/secret.txt", "out"])
def test_paths_outside_the_working_directory_are_refused(workspace, path):
    (workspace.root / "link").symlink_to(workspace.root.parent, target_is_directory=True)
    (workspace.root / "out").symlink_to(workspace.root.parent / "secret.txt")
    with pytest.raises(ToolError, match="outside the working directory"):
        workspace.resolve(path)


def test_paths_inside_resolve_relative_or_absolute(workspace):
    assert workspace.resolve("src/../notes.txt") == workspace.root / "notes.txt"
    assert workspace.resolve(str(workspace.root / "src")) == workspace.root / "src"


@pytest.mark.asyncio
async def test_read_file_gives_text_and_refuses_big_or_binary_files(workspace, monkeypatch):
    assert await run(workspace, "read_file", path="src/app.py") == "def main():\n    return 42\n"
    (workspace.root / "blob.bin").write_bytes(b"\0\1\2")
    with pytest.raises(ToolError, match="binary"):
        await run(workspace, "read_file", path="blob.bin")
    monkeypatch.setattr(conf, "KCODE_FILE_MAX_BYTES", 5)
    with pytest.raises(ToolError, match="larger than the limit of 5 bytes"):
        await run(workspace, "read_file", path="notes.txt")
    with pytest.raises(ToolError, match="outside"):
        await run(workspace, "read_file", path="../secret.txt")


@pytest.mark.asyncio
async def test_list_dir_marks_directories(workspace):
    assert await run(workspace, "list_dir") == "notes.txt\nsrc/"
    assert await run(workspace, "list_dir", path="src") == "app.py"


@pytest.mark.asyncio
async def test_grep_finds_lines_but_not_through_links_leading_out(workspace):
    (workspace.root / "leak.txt").symlink_to(workspace.root.parent / "secret.txt")
    (workspace.root / "more.txt").write_text("no password here\n")
    assert await run(workspace, "grep", pattern=r"return \d+") == "src/app.py:2:     return 42"
    assert await run(workspace, "grep", pattern="password") == "more.txt:1: no password here"
    with pytest.raises(ToolError, match="regular expression"):
        await run(workspace, "grep", pattern="(")


@pytest.mark.asyncio
async def test_write_file_creates_inside_and_refuses_escapes(workspace):
    assert await run(workspace, "write_file", path="pkg/new.py", content="x = 1\n") == "Wrote 6 bytes to pkg/new.py."
    assert (workspace.root / "pkg" / "new.py").read_text() == "x = 1\n"
    with pytest.raises(ToolError, match="outside"):
        await run(workspace, "write_file", path="../evil.txt", content="x")
    assert not (workspace.root.parent / "evil.txt").exists()


@pytest.mark.asyncio
async def test_run_shell_runs_in_the_working_directory(workspace, monkeypatch):
    assert await run(workspace, "run_shell", command="cat notes.txt; exit 3") == "exit code 3\nalpha\nbeta\n"
    monkeypatch.setenv("SECRET_KEY", "server-secret")
    environment = await run(workspace, "run_shell", command="env")
    assert "PATH=" in environment and "server-secret" not in environment
    monkeypatch.setattr(conf, "KCODE_SHELL_TIMEOUT", 0.5)
    marker = workspace.root / "late.txt"
    with pytest.raises(ToolError, match="killed"):
        await run(workspace, "run_shell", command=f"sleep 30; touch {marker}")
    assert not marker.exists()


def test_tool_arguments_are_validated(workspace):
    with pytest.raises(ToolError, match="path"):
        validate_args(TOOLS["read_file"], {})
    with pytest.raises(ToolError, match="recursive: Extra inputs"):
        validate_args(TOOLS["list_dir"], {"path": ".", "recursive": True})


def test_tool_calls_are_parsed_from_fenced_blocks():
    answer = 'Let me look.\n```tool\n{"tool": "read_file", "args": {"path": "a.py"}}\n```\n'
    call = find_call(answer)
    assert (call.name, call.args) == ("read_file", {"path": "a.py"})
    assert find_call('```tool\n{"tool": "list_dir"}').name == "list_dir"  # the stop sequence ate the fence
    assert find_call("Just an answer.\n```python\nprint(1)\n```") is None
    with pytest.raises(ToolError, match="not valid JSON"):
        find_call("```tool\n{read_file}\n```")
    with pytest.raises(ToolError, match="no tool 'rm'"):
        find_call('```tool\n{"tool": "rm", "args": {}}\n```')


def test_fences_outgrow_the_text_they_hold():
    assert fenced("a ``` b") == "````\na ``` b\n````"


def test_markdown_blocks_end_at_blank_lines_outside_fences():
    assert complete_blocks("para one\n\npara tw") == len("para one\n\n")
    assert complete_blocks("```py\nx = 1\n\ny = 2\n") == 0
    assert complete_blocks("```py\nx = 1\n```\nmore") == len("```py\nx = 1\n```\n")

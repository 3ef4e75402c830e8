"""kcode's REPL driven in a real PTY, answering from a scripted OpenAI-compatible model."""

import threading

import pexpect
import pytest

from chat.models import Conversation

from .kcode_backend import tool_block
from .kcode_pty import kcode_env, plain, say, spawn, until_prompt


@pytest.fixture
def kcode(llm, work, tmp_path, make_account):
    """Start kcode as a new user in `work`; every child is closed at the end."""
    account = make_account("user")
    children = []

    def start(*args: str, **env: str) -> pexpect.spawn:
        """kcode with these arguments and extra settings in its environment."""
        child = spawn(kcode_env(llm, tmp_path, **env), "--user", account.username, "--cwd", str(work), *args)
        children.append(child)
        return child

    start.account = account
    yield start
    for child in children:
        child.close(force=True)
    assert not llm.script, "the test left scripted answers unused"


def leave(child: pexpect.spawn, how: str = "/exit") -> None:
    child.sendline(how) if how == "/exit" else child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_banner_help_streamed_markdown_and_file_tools(kcode, llm, work):
    child = kcode()
    banner = plain(child.before)
    assert "KULVEX kcode" in banner and "model scripted-coder via scripted" in banner
    assert f"working directory {work}" in banner

    say(child, "/help")
    listing = until_prompt(child)
    for usage in ("/help", "/model [TASK_TYPE]", "/clear", "/read PATH", "/exit"):
        assert usage in listing

    # The answer is held after its first piece: seeing it proves the REPL shows text as it streams.
    gate = threading.Event()
    llm.answer("Here is ", gate, "**bold** advice:\n\n```python\nprint('hi')\n```\n\nDone.")
    say(child, "hello there")
    child.expect("Here is")
    gate.set()
    answer = until_prompt(child)
    assert "bold advice:" in answer and "print('hi')" in answer and "Done." in answer
    assert "**" not in answer and "```" not in answer  # rendered as Markdown, not shown raw
    assert llm.requests[-1].last == "hello there"

    llm.answer("I will look.\n" + tool_block("read_file", path="notes.txt"))
    llm.answer("The notes say alpha.")
    say(child, "what do the notes say?")
    shown = until_prompt(child)
    assert shown.index("read_file(path='notes.txt')") < shown.index("The notes say alpha.")
    fed_back = llm.requests[-1].last
    assert "Result of read_file(path='notes.txt')" in fed_back and "alpha\nbeta" in fed_back

    llm.answer(tool_block("read_file", path="../secret.txt"))
    llm.answer("I may not read that.")
    say(child, "read the secret")
    shown = until_prompt(child)
    assert "outside the working directory" in shown and "I may not read that." in shown
    fed_back = llm.requests[-1].last
    assert "failed" in fed_back and "outside the working directory" in fed_back and "hunter2" not in fed_back
    leave(child)


def test_write_and_shell_run_only_after_a_yes(kcode, llm, work):
    child = kcode()
    llm.answer(tool_block("write_file", path="hello.py", content="print('hello')\n"))
    llm.answer("Not written, then.")
    say(child, "write hello.py")
    child.expect_exact("[y/N]")
    assert "write_file(path='hello.py', content=\"print('hello')\\n\")" in plain(child.before)
    child.sendline("n")
    shown = until_prompt(child)
    assert "did not allow" in shown and "Not written, then." in shown
    assert "did not allow" in llm.requests[-1].last
    assert not (work / "hello.py").exists()

    llm.answer(tool_block("write_file", path="pkg/hello.py", content="print('hello')\n"))
    llm.answer(tool_block("run_shell", command="python3 pkg/hello.py; echo $((6*7))"))
    llm.answer("It printed hello and 42.")
    say(child, "write and run it")
    child.expect_exact("[y/N]")
    child.sendline("y")
    child.expect_exact("Wrote 15 bytes to pkg/hello.py.")
    assert (work / "pkg" / "hello.py").read_text() == "print('hello')\n"
    child.expect_exact("[y/N]")
    child.sendline("y")
    shown = until_prompt(child)
    assert "It printed hello and 42." in shown
    assert llm.requests[-1].last.endswith("exit code 0\nhello\n42\n```")
    leave(child)


def test_permission_deny_refuses_without_asking(kcode, llm, work):
    child = kcode(KCODE_PERMISSION="deny")
    llm.answer(tool_block("run_shell", command="touch ran.txt"))
    llm.answer("Denied.")
    say(child, "touch a file")
    shown = until_prompt(child)
    assert "[y/N]" not in shown and "permission mode deny" in shown and "Denied." in shown
    assert not (work / "ran.txt").exists()
    leave(child, "ctrl-d")


def test_ctrl_c_cancels_the_answer_upstream_and_the_repl_goes_on(kcode, llm):
    child = kcode()
    llm.endless()
    say(child, "count forever")
    child.expect("tick3 ")
    child.sendintr()
    child.expect_exact("Cancelled.")
    stream = llm.requests[-1]
    assert stream.closed.wait(10) and stream.state == "disconnected"
    child.expect("kcode>")

    llm.answer("Still here.")
    say(child, "are you there?")
    assert "Still here." in until_prompt(child)
    leave(child, "ctrl-d")

    # Both questions went into one conversation of kind "code", the cut answer kept.
    conversation = Conversation.objects.get(owner=kcode.account.user)
    assert conversation.kind == "code" and conversation.task_type == "code"
    turns = list(conversation.messages.values_list("role", "content"))
    assert [role for role, _ in turns] == ["user", "assistant", "user", "assistant"]
    assert turns[1][1].startswith("tick1 tick2 tick3 ") and turns[3][1] == "Still here."


def test_history_model_clear_and_read(kcode, llm, work):
    child = kcode()
    llm.answer("First.")
    say(child, "a question to remember")
    until_prompt(child)
    leave(child, "ctrl-d")

    child = kcode()
    child.send("\x1b[A")  # Up: the line from the previous run
    child.expect_exact("a question to remember")
    child.sendcontrol("c")  # drops the line, stays in kcode
    child.expect("\n")
    child.expect("kcode>")

    say(child, "/model nonsense")
    assert "Unknown task type 'nonsense'; the task types are: chat, code." in until_prompt(child)
    say(child, "/model chat")
    assert "task type chat: model scripted-chat via chatty" in until_prompt(child)

    say(child, "/read ../secret.txt")
    assert "outside the working directory" in until_prompt(child)
    say(child, "/read notes.txt")
    assert "Read notes.txt" in until_prompt(child)
    llm.answer("Two lines.")
    say(child, "how long is it?")
    until_prompt(child)
    sent = llm.requests[-1]
    assert sent.last == "The file notes.txt:\n```\nalpha\nbeta\n```\n\nhow long is it?"

    say(child, "/clear")
    assert "New conversation." in until_prompt(child)
    llm.answer("Fresh.")
    say(child, "again")
    until_prompt(child)
    assert [m["content"] for m in llm.requests[-1].messages if m["role"] != "system"] == ["again"]
    leave(child)

"""`manage.py kcode --print`, and whom kcode acts for."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from chat.models import Conversation
from kulvex.testing import free_port
from terminal.kcode.users import UnknownUser, resolve_user

from .kcode_backend import tool_block
from .kcode_pty import kcode_env, run


def test_print_answers_once_on_stdout_with_tools_on_stderr(llm, work, tmp_path, make_account):
    account = make_account("user")
    llm.answer("Let me read it.\n" + tool_block("read_file", path="notes.txt"))
    llm.answer("The notes say **alpha**.")
    done = run(kcode_env(llm, tmp_path), "--user", account.username, "--cwd", str(work), "--print", "notes?")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "The notes say **alpha**.\n"
    assert "Let me read it." in done.stderr and "[tool] read_file(path='notes.txt')" in done.stderr
    assert "alpha\nbeta" in llm.requests[-1].last
    conversation = Conversation.objects.get(owner=account.user)
    assert conversation.kind == "code" and conversation.messages.count() == 4


def test_print_reads_the_question_from_stdin_and_writes_only_when_allowed(llm, work, tmp_path, make_account):
    env = kcode_env(llm, tmp_path)
    user = make_account("user").username
    write = tool_block("write_file", path="out.txt", content="data\n")
    llm.answer(write)
    llm.answer("Could not write.")
    done = run(env, "--user", user, "--cwd", str(work), stdin="please write\n")  # --print is implied
    assert done.returncode == 0 and done.stdout == "Could not write.\n"
    assert llm.requests[-2].last == "please write" and "did not allow" in llm.requests[-1].last
    assert not (work / "out.txt").exists()

    llm.answer(write)
    llm.answer("Written.")
    done = run(env, "--user", user, "--cwd", str(work), "--permission", "auto", "--print", "write it")
    assert done.returncode == 0 and done.stdout == "Written.\n"
    assert (work / "out.txt").read_text() == "data\n"


def test_print_fails_with_a_non_zero_exit(llm, work, tmp_path, make_account):
    user = make_account("user").username
    nobody = {"kind": "openai", "base_url": f"http://127.0.0.1:{free_port()}/v1", "model": "nobody"}
    down = kcode_env(llm, tmp_path, LLM_BACKENDS=json.dumps({"down": nobody}), LLM_ROUTES='{"code": ["down"]}')
    done = run(down, "--user", user, "--cwd", str(work), "--print", "hello?")
    assert done.returncode == 1 and done.stdout == ""
    assert "No language model could answer right now" in done.stderr

    done = run(kcode_env(llm, tmp_path), "--user", user, "--task-type", "poetry", "--print", "hello?")
    assert done.returncode == 1 and "Unknown task type 'poetry'; the task types are: chat, code." in done.stderr

    llm.answer(tool_block("list_dir"))
    llm.answer(tool_block("list_dir"))
    one_step = kcode_env(llm, tmp_path, KCODE_MAX_STEPS="1")
    done = run(one_step, "--user", user, "--cwd", str(work), "--print", "loop")
    assert done.returncode == 1 and "more than 1 tool calls (KCODE_MAX_STEPS)" in done.stderr
    assert "notes.txt" in llm.requests[-1].last

    done = run(kcode_env(llm, tmp_path), "--user", "nobody-at-all", "--print", "hello?")
    assert done.returncode == 1 and "There is no active user 'nobody-at-all'." in done.stderr


def test_a_terminal_session_user_cannot_be_changed(llm, work, tmp_path, make_account):
    owner, other = make_account("user"), make_account("user")
    env = kcode_env(llm, tmp_path, KULVEX_USER_ID=str(owner.user.pk))
    llm.answer("Yours.")
    done = run(env, "--cwd", str(work), "--print", "whose?")
    assert done.returncode == 0 and done.stdout == "Yours.\n"
    assert Conversation.objects.filter(owner=owner.user, kind="code").count() == 1

    done = run(env, "--user", other.username, "--print", "whose?")
    assert done.returncode == 1 and f"belongs to {owner.username!r}" in done.stderr


class RolledBack(Exception):
    pass


def test_without_a_name_kcode_acts_as_the_only_superuser(make_account, monkeypatch):
    monkeypatch.delenv("KULVEX_USER_ID", raising=False)
    users = get_user_model().objects
    with pytest.raises(RolledBack), transaction.atomic():
        users.filter(is_superuser=True).update(is_superuser=False)
        with pytest.raises(UnknownUser, match="there is no superuser"):
            resolve_user()
        admin = make_account("admin").user
        assert resolve_user() == admin
        make_account("admin")
        with pytest.raises(UnknownUser, match="there are several superusers"):
            resolve_user()
        raise RolledBack

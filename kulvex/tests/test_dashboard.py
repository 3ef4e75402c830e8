"""The web dashboard in a real browser: Debian's Chromium driven by Playwright against the real
server (uvicorn subprocess, real database, real engines). One browser for the whole module, a
fresh context (own sessionStorage) per test."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Permission
from playwright.async_api import Page, async_playwright, expect
from rest_framework_simplejwt.tokens import AccessToken

from chat.models import Conversation, Document, Message
from kulvex.roles import role_of
from kulvex.testing import BASE_DIR, SocketClient, eventually
from terminal.models import TerminalSession
from voice.models import VoiceSession, VoiceTurn

pytestmark = pytest.mark.asyncio
CHROMIUM = "/usr/bin/chromium"
SHOTS = BASE_DIR / "test-output"
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# What the fake microphone says (Korean: the vosk model installed offline is Korean).
SPOKEN = "안녕하세요"


def speech_wav(folder: Path) -> Path:
    """A WAV for Chromium's fake microphone: espeak-ng's speech between stretches of silence, so
    the speech-to-text engine hears an utterance end."""
    raw = folder / "speech-raw.wav"
    wav = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "140", "-w", str(raw), SPOKEN], check=True)
    subprocess.run(
        ["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", "-e", "signed-integer", str(wav), "pad", "0.5", "3"],
        check=True,
    )
    return wav


@pytest.fixture(scope="module")
def server(start_server):
    """The server, with a shell that reads no startup files: this machine's dotfiles (which may be
    slow) must not decide when the prompt appears."""
    return start_server({"TERMINAL_SHELL": "bash --login --noprofile --norc"}, name="dashboard")


@pytest.fixture(scope="module")
def fake_microphone(tmp_root) -> Path:
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.fail("espeak-ng and sox are needed (scripts/system-packages.sh installs them)")
    return speech_wav(tmp_root)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def browser(fake_microphone):
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={fake_microphone}",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        await browser.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser, server) -> Page:
    context = await browser.new_context(base_url=server.url, viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    await context.grant_permissions(["microphone"], origin=server.url)
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    await context.close()


async def screenshot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=False)


async def sign_in(page: Page, account) -> None:
    await page.goto("/")
    await page.get_by_label("Username").fill(account.username)
    await page.get_by_label("Password").fill(account.password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#app-view")).to_be_visible()
    await expect(page.locator("#connection")).to_have_attribute("data-state", "online")


def nav(page: Page):
    return page.get_by_role("navigation", name="Main")


async def test_sign_in_shows_the_pages_the_role_allows(page, make_account):
    account = make_account("user")
    await sign_in(page, account)
    await expect(page.locator("#who-name")).to_have_text(account.username)
    await expect(page.locator("#who-role")).to_have_text("user")
    for name in ("Chat", "Documents", "Voice", "Sessions"):
        await expect(nav(page).get_by_role("link", name=name)).to_be_visible()
    await expect(nav(page).get_by_role("link", name="Admin")).to_be_hidden()
    assert account.username not in page.url and "token" not in page.url
    stored = await page.evaluate("sessionStorage.getItem('kulvex.auth')")
    assert '"access"' in stored
    assert await page.evaluate("localStorage.length") == 0
    await screenshot(page, "chat-desktop")
    assert page.errors == []


async def test_wrong_password_is_refused(page, make_account):
    account = make_account("user")
    await page.goto("/")
    await page.get_by_label("Username").fill(account.username)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Invalid username or password.")
    await expect(page.locator("#app-view")).to_be_hidden()
    await screenshot(page, "login")


async def test_viewer_and_admin_navigation(page, make_account):
    viewer = make_account("viewer")
    await sign_in(page, viewer)
    await expect(nav(page).get_by_role("link", name="Terminal")).to_be_hidden()
    await expect(nav(page).get_by_role("link", name="Admin")).to_be_hidden()
    await page.goto("/#documents")
    await expect(page.locator("#page-documents")).to_be_visible()
    await expect(page.locator("#upload-form")).to_be_hidden()
    # A page the role may not use falls back to chat.
    await page.goto("/#terminal")
    await expect(page.locator("#page-chat")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator("#login-view")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('kulvex.auth')") is None

    admin = make_account("admin")
    await sign_in(page, admin)
    await expect(nav(page).get_by_role("link", name="Terminal")).to_be_visible()
    await expect(nav(page).get_by_role("link", name="Admin")).to_be_visible()


async def test_reload_keeps_the_sign_in_and_an_expiring_token_is_refreshed(page, make_account):
    account = make_account("user")
    await sign_in(page, account)
    # Swap in an access token that expires in 3 s: the page must refresh it before it lapses.
    short = AccessToken.for_user(account.user)
    short.set_exp(lifetime=dt.timedelta(seconds=3))
    await page.evaluate(
        """token => { const s = JSON.parse(sessionStorage.getItem('kulvex.auth'));
                      s.access = token; sessionStorage.setItem('kulvex.auth', JSON.stringify(s)); }""",
        str(short),
    )
    await page.reload()
    await expect(page.locator("#app-view")).to_be_visible()
    await page.wait_for_function(
        "old => JSON.parse(sessionStorage.getItem('kulvex.auth')).access !== old", arg=str(short), timeout=TIMEOUT_MS
    )
    fresh = await page.evaluate("JSON.parse(sessionStorage.getItem('kulvex.auth')).access")
    assert AccessToken(fresh)["user_id"] == str(account.user.pk) or AccessToken(fresh)["user_id"] == account.user.pk
    await expect(page.locator("#connection")).to_have_attribute("data-state", "online")


async def test_phone_width(page, make_account):
    await page.set_viewport_size(PHONE)
    await sign_in(page, make_account("admin"))
    toggle = page.get_by_role("button", name="Menu")
    await expect(toggle).to_be_visible()
    for name in ("Documents", "Voice", "Terminal", "Sessions", "Chat"):
        await expect(nav(page).get_by_role("link", name=name)).to_be_hidden()
        await toggle.click()
        await nav(page).get_by_role("link", name=name).click()
        await expect(page.locator(f"#page-{name.lower()}")).to_be_visible()
        await expect(nav(page)).to_be_hidden()
        if name == "Terminal":
            await open_terminal(page)
            await run_in_terminal(page, "echo narrow-$((2*3))", "narrow-6")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways at phone width ({width}px)"
        await screenshot(page, f"{name.lower()}-phone")


async def test_voice_turn_from_the_fake_microphone(page, make_account):
    account = make_account("user")
    await sign_in(page, account)
    await nav(page).get_by_role("link", name="Voice").click()
    await page.get_by_role("button", name="Hands-free").click()
    await expect(page.locator("#page-voice")).to_have_attribute("data-state", "listening")
    # Chromium's fake microphone plays the espeak-ng WAV; vosk hears it and the assistant answers.
    await expect(page.locator("#voice-transcript")).not_to_be_empty(timeout=60_000)
    await expect(page.locator("#voice-reply")).not_to_be_empty(timeout=60_000)
    await expect(page.locator("#voice-audio")).to_have_attribute("data-played", re.compile(r"^[1-9]"), timeout=60_000)
    await screenshot(page, "voice")
    await page.get_by_role("button", name="Hands-free").click()
    await expect(page.locator("#page-voice")).to_have_attribute("data-session-id", "")
    # Once the session row is closed every turn is stored. The fake microphone loops its file,
    # so hands-free may have heard it more than once.
    await eventually(lambda: VoiceSession.objects.filter(user=account.user, ended_at__isnull=False).aexists())
    transcript = await page.locator("#voice-transcript").inner_text()
    stored = [turn.transcript async for turn in VoiceTurn.objects.filter(session__user=account.user)]
    assert transcript in stored
    assert page.errors == []


def count_frames(page: Page, event: str) -> list[int]:
    """A live count of Socket.IO `event` packets the page receives."""
    seen = [0]

    def watch(ws) -> None:
        ws.on("framereceived", lambda frame: seen.__setitem__(0, seen[0] + (f'["{event}"' in str(frame))))

    page.on("websocket", watch)
    return seen


async def ask(page: Page, question: str):
    box = page.get_by_role("textbox", name="Message")
    await box.fill(question)
    await box.press("Enter")
    reply = page.locator("#chat-messages li.message.assistant").last
    await expect(reply).to_have_attribute("data-done", re.compile("false|true"))
    return reply


async def test_voice_push_to_talk(page, make_account):
    await sign_in(page, make_account("user"))
    await nav(page).get_by_role("link", name="Voice").click()
    button = page.get_by_role("button", name="Hold to talk")
    await button.hover()
    await page.mouse.down()
    await expect(button).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("#page-voice")).to_have_attribute("data-state", "listening")
    heard = page.locator("#voice-partial, #voice-transcript").filter(has_text=re.compile(r"\S"))
    await expect(heard).not_to_have_count(0)
    await page.mouse.up()
    await expect(button).to_have_attribute("aria-pressed", "false")
    # Releasing ends the utterance: it is answered and spoken, then the session ends.
    await expect(page.locator("#voice-transcript")).not_to_be_empty(timeout=60_000)
    await expect(page.locator("#voice-audio")).to_have_attribute("data-played", re.compile(r"^[1-9]"), timeout=60_000)
    await expect(page.locator("#page-voice")).to_have_attribute("data-session-id", "")
    await expect(page.locator("#page-voice")).to_have_attribute("data-state", "idle")
    await expect(page.locator("#voice-error")).to_be_hidden()


async def test_chat_streams_an_answer_and_keeps_the_conversation(page, make_account):
    account = make_account("user")
    tokens = count_frames(page, "chat:token")
    await sign_in(page, account)
    await expect(page.locator("#chat-model")).to_contain_text("gemma")
    reply = await ask(page, "What is the capital of France?")
    await expect(reply).to_have_attribute("data-done", "true", timeout=120_000)
    await expect(reply.locator(".body")).to_contain_text("Paris")
    assert tokens[0] > 1, "the answer came in one piece, not streamed"
    stored = await Message.objects.filter(conversation__owner=account.user, role="assistant").afirst()
    assert stored.content.strip() and stored.content.strip() in (await reply.locator(".body").inner_text()).strip()
    # The conversation is listed, and opening it after a reload shows both messages.
    title = "What is the capital of France?"
    await expect(page.get_by_role("button", name=title, exact=True)).to_be_visible()
    await page.reload()
    await page.get_by_role("button", name=title, exact=True).click()
    await expect(page.locator("#chat-messages li.message")).to_have_count(2)
    await expect(page.locator("#chat-messages li.message.user")).to_have_text(re.compile("capital of France"))
    await screenshot(page, "chat")
    # Delete it.
    await page.get_by_role("button", name=f"Delete {title}").click()
    await expect(page.locator("#chat-conversations li")).to_have_count(0)
    assert not await Conversation.objects.filter(owner=account.user).aexists()
    assert page.errors == []


async def test_chat_stop_keeps_the_partial_answer(page, make_account):
    account = make_account("user")
    await sign_in(page, account)
    reply = await ask(page, "List the numbers from 1 to 500, one after another, separated by commas.")
    await expect(reply.locator(".body")).to_contain_text("10,", timeout=120_000)
    await page.get_by_role("button", name="Stop").click()
    await expect(reply).to_have_attribute("data-done", "true")
    await expect(reply).to_have_attribute("data-finish-reason", "cancelled")
    await expect(reply.locator(".finish")).to_have_text("(cancelled)")
    await expect(page.get_by_role("button", name="Send")).to_be_visible()
    shown = (await reply.locator(".body").inner_text()).strip()
    assert "499" not in shown
    stored = await Message.objects.filter(conversation__owner=account.user, role="assistant").afirst()
    assert stored.finish_reason == "cancelled"
    assert stored.content.strip() == shown


def terminal_pane(page: Page):
    return page.locator("#terminal-panes .pane:not([hidden])")


async def run_in_terminal(page: Page, command: str, expected: str) -> None:
    pane = terminal_pane(page)
    await pane.locator(".xterm").click()
    await page.keyboard.type(command + "\n")
    await expect(pane.locator(".xterm-rows")).to_contain_text(expected)


async def open_terminal(page: Page) -> str:
    before = await page.locator("#terminal-panes .pane[data-session-id]").count()
    await page.get_by_role("button", name="New shell tab").click()
    await expect(page.locator("#terminal-panes .pane[data-session-id]")).to_have_count(before + 1)
    # Type after the shell's prompt, as a person would: bash drops what was typed before it.
    await expect(terminal_pane(page).locator(".xterm-rows")).to_contain_text(re.compile(r"[$#]"))
    return await terminal_pane(page).get_attribute("data-session-id")


async def test_terminal_runs_commands_fits_the_window_and_survives_a_reload(page, make_account):
    account = make_account("admin")
    await sign_in(page, account)
    await nav(page).get_by_role("link", name="Terminal").click()
    session_id = await open_terminal(page)
    await run_in_terminal(page, "echo kulvex-$((6*7))", "kulvex-42")
    # The PTY has the size of the terminal on screen, and follows the window.
    pane = terminal_pane(page)
    cols, rows = await pane.get_attribute("data-cols"), await pane.get_attribute("data-rows")
    await run_in_terminal(page, "stty size", f"{rows} {cols}")
    await page.set_viewport_size({"width": 900, "height": 600})
    await expect(pane).not_to_have_attribute("data-cols", cols)
    cols, rows = await pane.get_attribute("data-cols"), await pane.get_attribute("data-rows")
    await run_in_terminal(page, "clear; stty size", f"{rows} {cols}")
    await screenshot(page, "terminal")
    await run_in_terminal(page, "export MARK=still-$((40+2))", "export MARK")

    # A reload re-attaches the same shell: its variables are still set.
    await page.reload()
    pane = terminal_pane(page)
    await expect(pane).to_have_attribute("data-session-id", session_id)
    await expect(pane).to_have_attribute("data-attached", "true")
    await run_in_terminal(page, "echo $MARK", "still-42")

    # A second tab is another shell; closing it ends that shell only.
    second = await open_terminal(page)
    assert second != session_id
    await expect(page.get_by_role("tab")).to_have_count(2)
    await page.get_by_role("button", name=re.compile(r"^Close Shell")).last.click()
    await expect(page.get_by_role("tab")).to_have_count(1)
    row = await eventually(lambda: TerminalSession.objects.filter(session_id=second, ended_at__isnull=False).afirst())
    assert row.user_id == account.user.pk
    assert (await TerminalSession.objects.aget(session_id=session_id)).ended_at is None
    assert page.errors == []


async def test_terminal_reattaches_after_a_network_drop(page, make_account):
    await sign_in(page, make_account("admin"))
    await nav(page).get_by_role("link", name="Terminal").click()
    session_id = await open_terminal(page)
    await run_in_terminal(page, "MARK=before-drop; echo ok-$((1+1))", "ok-2")
    await page.context.set_offline(True)
    await expect(page.locator("#connection")).not_to_have_attribute("data-state", "online")
    await page.context.set_offline(False)
    await expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    pane = terminal_pane(page)
    await expect(pane).to_have_attribute("data-session-id", session_id)
    await expect(pane).to_have_attribute("data-attached", "true")
    await run_in_terminal(page, "echo $MARK", "before-drop")


def allow_terminal(account) -> None:
    account.user.user_permissions.add(Permission.objects.get(codename="use_terminal"))


async def test_sessions_page_lists_sessions_and_an_admin_ends_a_terminal(page, server, make_account):
    owner = make_account("user")
    allow_terminal(owner)
    async with SocketClient(server.url) as client:
        await client.connect(owner.token)
        created = await client.call("terminal:create", {"cols": 80, "rows": 24})
        assert created["ok"], created
        session_id = created["session_id"]

        admin = make_account("admin")
        await sign_in(page, admin)
        await nav(page).get_by_role("link", name="Sessions").click()
        row = page.locator(f'#sessions-list tr[data-id="{session_id}"]')
        await expect(row).to_contain_text(owner.username)
        await expect(row).to_contain_text("live")
        await screenshot(page, "sessions")
        page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await row.get_by_role("button", name=f"End terminal session {session_id}").click()
        exited = await client.wait("terminal:exit", timeout=30, where=lambda e: e["session_id"] == session_id)
        assert exited["session_id"] == session_id
        await expect(row).to_have_count(0)
        await page.get_by_label("Show ended sessions").check()
        await expect(row.locator("td").nth(4)).to_have_text("admin")

    # The owner sees only their own sessions, and may not end any.
    headers = {"Authorization": f"Bearer {owner.token}"}
    mine = httpx.get(f"{server.url}/api/sessions/?ended=1&everyone=1", headers=headers).json()["results"]
    assert {row["user"]["username"] for row in mine} == {owner.username}
    assert [row["id"] for row in mine if row["kind"] == "terminal"] == [session_id]
    assert not any(row["can_end"] for row in mine)
    refused = httpx.post(f"{server.url}/api/sessions/terminal/{session_id}/end", headers=headers)
    assert refused.status_code == 403


FACT = (
    "The Zorblax rocket weighs 7,340 kilograms. "
    "It was built in the harbour town of Quenmarsh in 2031. "
    "Its pilot is Captain Mirela Voss."
)


async def test_documents_upload_index_cite_and_delete_per_project(page, make_account, tmp_path):
    account = make_account("user")
    await sign_in(page, account)
    await nav(page).get_by_role("link", name="Documents").click()
    await page.get_by_label("New project name").fill("Rocket facts")
    await page.get_by_role("button", name="Add project").click()
    await expect(page.locator("#documents-project")).to_have_value("rocket-facts")

    notes = tmp_path / "zorblax.md"
    notes.write_text(f"# Zorblax\n\n{FACT}\n")
    await page.get_by_label(re.compile("Add a document")).set_input_files(notes)
    await page.get_by_role("button", name="Upload").click()
    await expect(page.get_by_label("Upload progress")).to_have_attribute("value", "100")
    row = page.locator("#documents-list tr", has_text="zorblax.md")
    await expect(row).to_have_attribute("data-status", "indexed", timeout=120_000)
    await expect(page.locator("#upload-status")).to_have_text(re.compile(r"zorblax.md: indexed \(\d+ chunks\)"))
    await screenshot(page, "documents")
    document = await Document.objects.select_related("project").aget(owner=account.user)
    assert document.project.slug == "rocket-facts" and document.chunk_count >= 1

    # Chat in the same project, from the documents: the answer cites the document.
    await nav(page).get_by_role("link", name="Chat").click()
    await expect(page.locator("#chat-project")).to_have_value("rocket-facts")
    await page.get_by_label("Use my documents").check()
    reply = await ask(page, "How much does the Zorblax rocket weigh?")
    await expect(reply).to_have_attribute("data-done", "true", timeout=120_000)
    await expect(reply.locator(".body")).to_contain_text("7,340")
    source = reply.locator(".sources li.source").first
    await expect(source).to_contain_text("zorblax.md")
    await expect(source).to_have_attribute("data-document-id", str(document.pk))
    await screenshot(page, "chat-sources")

    # Another project does not list it; deleting removes it.
    await nav(page).get_by_role("link", name="Documents").click()
    await page.get_by_label("New project name").fill("Other")
    await page.get_by_role("button", name="Add project").click()
    await expect(page.locator("#documents-project")).to_have_value("other")
    await expect(page.locator("#documents-empty")).to_be_visible()
    await expect(row).to_have_count(0)
    await page.locator("#documents-project").select_option("rocket-facts")
    page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await row.get_by_role("button", name="Delete zorblax.md").click()
    await expect(row).to_have_count(0)
    await expect(page.locator("#documents-empty")).to_be_visible()
    assert not await Document.objects.filter(owner=account.user).aexists()
    assert page.errors == []


async def test_admin_shows_and_sets_roles(page, make_account):
    admin, user, viewer = make_account("admin"), make_account("user"), make_account("viewer")
    await page.goto("/admin/login/?next=/admin/auth/user/")
    await page.get_by_label("Username").fill(admin.username)
    await page.get_by_label("Password").fill(admin.password)
    await page.get_by_role("button", name="Log in").click()
    rows = page.locator("#result_list tbody tr")
    await expect(rows.first).to_be_visible()

    # The role column and filter.
    await page.goto(f"/admin/auth/user/?role=viewer&q={viewer.username}")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text(viewer.username)
    await expect(rows.first.locator("td.field-role")).to_have_text("viewer")
    await page.goto(f"/admin/auth/user/?role=admin&q={viewer.username}")
    await expect(page.locator("#result_list")).to_have_count(0)

    # The bulk action goes through assign_role.
    await page.goto(f"/admin/auth/user/?q={user.username}")
    await rows.first.locator("input.action-select").check()
    await page.locator("select[name=action]").select_option("make_viewer")
    await page.get_by_role("button", name="Go").click()
    await expect(page.locator(".messagelist")).to_contain_text("1 user(s) are now viewer.")
    await user.user.arefresh_from_db()
    assert await sync_to_async(role_of)(user.user) == "viewer"

    # So does the role field of the change form.
    await page.goto(f"/admin/auth/user/{viewer.user.pk}/change/")
    await page.get_by_role("combobox", name="Role").select_option("admin")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    await viewer.user.arefresh_from_db()
    assert viewer.user.is_staff and viewer.user.is_superuser
    assert not await viewer.user.groups.filter(name="viewer").aexists()
    await screenshot(page, "admin-users")


async def test_kcode_tab_keeps_running_without_a_window_and_is_resumed(browser, page, server, make_account):
    account = make_account("admin")
    await sign_in(page, account)
    await nav(page).get_by_role("link", name="Terminal").click()
    await page.get_by_role("button", name="New kcode tab").click()
    pane = terminal_pane(page)
    await expect(pane.locator(".xterm-rows")).to_contain_text("KULVEX kcode", timeout=60_000)
    session_id = await pane.get_attribute("data-session-id")
    await page.context.close()

    # Another window (its own sessionStorage, so no saved tabs) offers the running session.
    context = await browser.new_context(base_url=server.url, viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    other = await context.new_page()
    await sign_in(other, account)
    await nav(other).get_by_role("link", name="Terminal").click()
    await other.get_by_role("button", name=f"Resume kcode {session_id[:8]}").click()
    pane = terminal_pane(other)
    await expect(pane).to_have_attribute("data-session-id", session_id)
    await expect(pane).to_have_attribute("data-attached", "true")
    await expect(pane.locator(".xterm-rows")).to_contain_text("kcode>")
    # It answers: /help lists kcode's commands.
    await pane.locator(".xterm").click()
    await other.keyboard.type("/help\n")
    await expect(pane.locator(".xterm-rows")).to_contain_text("list these commands")
    await other.get_by_role("button", name=re.compile(r"^Close kcode")).click()
    await context.close()


async def test_stored_answers_render_markdown_and_code_but_no_script(page, make_account):
    account = make_account("user")
    conversation = await Conversation.objects.acreate(owner=account.user, title="Markdown check")
    await Message.objects.acreate(conversation=conversation, role="user", content="<b>not bold</b>")
    await Message.objects.acreate(
        conversation=conversation,
        role="assistant",
        content=(
            "**Bold** and `inline`.\n\n```python\nprint('hi')\n```\n\n"
            '<img src="x" onerror="window.pwned = 1"> <script>window.pwned = 2</script> '
            "[link](javascript:window.pwned=3)"
        ),
    )
    await sign_in(page, account)
    await page.get_by_role("button", name="Markdown check", exact=True).click()
    answer = page.locator("#chat-messages li.message.assistant .body")
    await expect(answer.locator("strong")).to_have_text("Bold")
    await expect(answer.locator("pre code")).to_have_text("print('hi')")
    await expect(page.locator("#chat-messages li.message.user .body")).to_have_text("<b>not bold</b>")
    assert await answer.locator("script, [onerror]").count() == 0
    assert await answer.locator("a[href^='javascript']").count() == 0
    await answer.get_by_text("link").click()
    assert await page.evaluate("window.pwned") is None

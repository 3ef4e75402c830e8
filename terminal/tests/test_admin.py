"""The TerminalSession admin: a read-only audit trail whose action ends live sessions."""

import pytest

from kulvex.testing import AdminBrowser, SocketClient

from .terminals import Terminal, closed_row, row

pytestmark = pytest.mark.asyncio


def admin_browser(server, account) -> AdminBrowser:
    return AdminBrowser(server.url, account.username, account.password)


async def test_audit_rows_are_listed_searchable_and_read_only(server, terminal_account, make_account):
    owner = terminal_account()
    async with await SocketClient(server.url).connect(owner.token) as client:
        terminal = await Terminal.open(client)
        with admin_browser(server, make_account("admin")) as browser:
            listing = browser.get("/admin/terminal/terminalsession/", params={"q": owner.username, "live": "yes"})
            assert listing.status_code == 200 and terminal.id in listing.text
            assert terminal.id not in browser.get("/admin/terminal/terminalsession/", params={"live": "no"}).text
            pk = (await row(terminal.id)).pk
            detail = browser.get(f"/admin/terminal/terminalsession/{pk}/change/")
            assert detail.status_code == 200 and 'name="_save"' not in detail.text
            assert browser.get("/admin/terminal/terminalsession/add/").status_code == 403
            assert browser.get(f"/admin/terminal/terminalsession/{pk}/delete/").status_code == 403


async def test_the_end_action_ends_a_live_session(server, terminal_account, make_account):
    owner = terminal_account()
    async with await SocketClient(server.url).connect(owner.token) as client:
        terminal = await Terminal.open(client)
        pk = (await row(terminal.id)).pk
        with admin_browser(server, make_account("admin")) as browser:
            response = browser.submit(
                "/admin/terminal/terminalsession/", {"action": "end_sessions", "_selected_action": [pk]}, follow=True
            )
            assert response.status_code == 200 and "Ended 1 session." in response.text
        assert (await terminal.exit_event())["reason"] == "admin"
    assert (await closed_row(terminal.id)).end_reason == "admin"

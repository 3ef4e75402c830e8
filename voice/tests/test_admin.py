"""Voice sessions and turns in the Django admin of the real server."""

from django.utils import timezone

from kulvex.testing import AdminBrowser
from voice.models import VoiceSession, VoiceTurn


def test_sessions_filter_by_state_and_show_their_turns(server, make_account):
    speaker = make_account()
    live = VoiceSession.objects.create(user=speaker.user, language="ko")
    ended = VoiceSession.objects.create(user=speaker.user, language="ko", ended_at=timezone.now(), end_reason="stop")
    VoiceTurn.objects.create(session=ended, index=0, transcript="안녕하세요 admin-check", reply="Hello there.")
    admin = make_account("admin")
    browser = AdminBrowser(server.url, admin.username, admin.password)

    def listed(live: str) -> str:
        page = browser.get("/admin/voice/voicesession/", params={"live": live, "q": speaker.username})
        assert page.status_code == 200
        return page.text

    assert f"/admin/voice/voicesession/{live.pk}/change/" in listed("yes")
    assert f"/admin/voice/voicesession/{ended.pk}/change/" not in listed("yes")
    assert f"/admin/voice/voicesession/{ended.pk}/change/" in listed("no")
    detail = browser.get(f"/admin/voice/voicesession/{ended.pk}/change/")
    assert detail.status_code == 200 and "admin-check" in detail.text and 'name="_save"' not in detail.text
    turns = browser.get("/admin/voice/voiceturn/", params={"q": "admin-check"})
    assert turns.status_code == 200 and "Hello there." not in turns.text and "admin-check" in turns.text
    assert browser.get("/admin/voice/voicesession/add/").status_code == 403

"""The JavaScript example of docs/chat.md, run as written with Node's socket.io-client."""

import os
import re
import subprocess

import pytest

from kulvex.testing import BASE_DIR

pytestmark = pytest.mark.asyncio


def documented_example() -> str:
    text = (BASE_DIR / "docs" / "chat.md").read_text()
    return re.search(r"```js\n(.*?)```", text, re.S).group(1)


async def test_documented_node_example_streams_an_anonymous_reply(server):
    """`chat:send {task_type: "chat", history: [], use_rag: true}` without a token still answers."""
    example = documented_example()
    assert 'task_type: "chat"' in example and "use_rag: true" in example
    env = {key: value for key, value in os.environ.items() if key != "KULVEX_TOKEN"}
    result = subprocess.run(
        ["node", "--input-type=module"],
        input=example,
        cwd=BASE_DIR,
        env={**env, "KULVEX_URL": server.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Rome" in result.stdout
    assert result.stdout.rstrip().endswith("[gemma-3-270m-q4_k_m, stop, 0 sources]")

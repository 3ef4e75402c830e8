"""Chat streaming: KULVEX against the backend called directly and against a Node socket.io relay.

One fake OpenAI-compatible backend (chat.llm.testing, `burst`: tokens as fast as it can write)
serves three paths, all driven by the same Node load client (bench/chat_load.mjs):

* direct: the client reads the backend's SSE stream itself;
* KULVEX: `manage.py serve`, authenticated users, conversations and messages stored;
* Node: bench/chat_relay.mjs, a socket.io server emitting one chat:token per token.

Then chat:stop latency, and the embedded gemma model through KULVEX against xllamacpp called
in this process with the same prompt.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from chat.llm.testing import FakeOpenAIProcess
from kulvex.testing import BASE_DIR, ServerProcess, SocketClient, free_port

from .scratch import manage, scratch_env

BENCH = Path(__file__).resolve().parent
CLIENTS, TOKENS = 16, 2000  # throughput: concurrent clients × tokens per reply
TTFT_ROUNDS, TTFT_TOKENS = 60, 16  # latency: one client, sequential short replies, paths taking turns
STOPS = 10
EMBEDDED_TOKENS, EMBEDDED_ROUNDS = 64, 5
EMBEDDED_QUESTION = "Count from one to one hundred, separated by commas."
SYSTEM = "You are KULVEX, a helpful assistant. Answer briefly and correctly."
MODEL_PATH = BASE_DIR / "var" / "models" / "gemma-3-270m-q4_k_m.gguf"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def node_load(command: str, config: dict) -> dict:
    args = ["node", str(BENCH / "chat_load.mjs"), command, json.dumps(config)]
    return json.loads(
        subprocess.run(args, cwd=BASE_DIR, capture_output=True, text=True, timeout=600, check=True).stdout
    )


def throughput(target: dict, pid: int | None) -> dict:
    """CLIENTS replies of TOKENS tokens at once, and the CPU time the relaying process spent."""
    before = cpu_seconds(pid) if pid else 0.0
    load = node_load("throughput", {"clients": CLIENTS, "size": TOKENS, "target": target})
    cpu = cpu_seconds(pid) - before if pid else None
    assert load["tokens"] == CLIENTS * TOKENS, load
    return {
        "ttft_loaded": statistics.median(load["ttft_ms"]),
        "rate": load["tokens"] / load["wall_ms"] * 1000,
        "per_event": load["tokens"] / load["events"],
        "per_cpu": load["tokens"] / cpu if cpu else None,
    }


def bench_tokens(env: dict[str, str], users: int) -> list[str]:
    """Access tokens of `users` new users."""
    script = (
        "import json; from django.contrib.auth import get_user_model; from kulvex.tokens import issue_tokens; "
        "print(json.dumps([issue_tokens(get_user_model().objects.create_user(f'bench{i}'))['access_token'] "
        f"for i in range({users})]))"
    )
    return json.loads(manage(env, "shell", "-c", script).splitlines()[-1])


class NodeRelay:
    def __init__(self, upstream: str) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        command = ["node", str(BENCH / "chat_relay.mjs"), self.url.rsplit(":", 1)[1], upstream]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def __enter__(self) -> NodeRelay:
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(10)


async def stop_latencies(url: str, token: str, task_type: str, question: str) -> list[float]:
    """ms from emitting chat:stop to receiving chat:done, stopping each reply at its first token."""
    latencies = []
    async with SocketClient(url) as client:
        await client.connect(token)
        for _ in range(STOPS):
            ack = await client.call("chat:send", {"message": question, "task_type": task_type})

            def mine(event: dict, conversation: int = ack["conversation_id"]) -> bool:
                return event["conversation_id"] == conversation

            await client.wait("chat:token", 120, where=mine)
            started = time.perf_counter()
            await client.emit("chat:stop", {"conversation_id": ack["conversation_id"]})
            done = await client.wait("chat:done", 60, where=mine)
            latencies.append((time.perf_counter() - started) * 1000)
            assert done["finish_reason"] == "cancelled", done
    return latencies


async def embedded_through_server(url: str, token: str) -> tuple[float, float]:
    """Median time to first token (ms) and tokens/s of the embedded model, as a client sees them."""
    ttfts, rates = [], []
    async with SocketClient(url) as client, httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
        await client.connect(token)
        for _ in range(EMBEDDED_ROUNDS + 1):  # the first one loads the model
            started = time.perf_counter()
            ack = await client.call("chat:send", {"message": EMBEDDED_QUESTION, "task_type": "embedded"})

            def mine(event: dict, conversation: int = ack["conversation_id"]) -> bool:
                return event["conversation_id"] == conversation

            await client.wait("chat:token", 120, where=mine)
            first = time.perf_counter()
            await client.wait("chat:done", 120, where=mine)
            ended = time.perf_counter()
            detail = (await http.get(f"{url}/api/conversations/{ack['conversation_id']}/")).json()
            ttfts.append((first - started) * 1000)
            rates.append((detail["messages"][-1]["completion_tokens"] - 1) / (ended - first))
    return statistics.median(ttfts[1:]), statistics.median(rates[1:])


def embedded_direct() -> tuple[float, float]:
    """The same prompt and settings, xllamacpp called in this process."""
    import xllamacpp

    from chat.llm.prompt import STOP_SEQUENCES, render_transcript

    params = xllamacpp.CommonParams()
    params.model.path = str(MODEL_PATH)
    params.n_parallel, params.n_ctx, params.warmup, params.verbosity, params.port = 2, 4096, False, -1, 0
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = min(4, os.cpu_count() or 1)
    server = xllamacpp.Server(params)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": EMBEDDED_QUESTION}]
    body = {"prompt": render_transcript(messages), "max_tokens": EMBEDDED_TOKENS, "stream": True}
    body |= {"stop": STOP_SEQUENCES, "temperature": 0.0}
    ttfts, rates = [], []
    for _ in range(EMBEDDED_ROUNDS + 1):
        arrivals: list[float] = []
        usage: dict = {}

        def received(chunk: dict, arrivals: list = arrivals, usage: dict = usage) -> bool:
            arrivals.append(time.perf_counter())
            usage.update(chunk.get("usage") or {})
            return False

        started = time.perf_counter()
        server.handle_completions(body, received)
        ttfts.append((arrivals[0] - started) * 1000)
        rates.append((usage["completion_tokens"] - 1) / (arrivals[-1] - arrivals[0]))
    return statistics.median(ttfts[1:]), statistics.median(rates[1:])


def run() -> str:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kulvex-bench-") as tmp, FakeOpenAIProcess() as fake:
        backends = {
            "bench": {"kind": "openai", "base_url": fake.base_url("burst"), "model": "bench"},
            "slow": {"kind": "openai", "base_url": fake.base_url("slow"), "model": "slow"},
            "embedded": {"kind": "embedded"},
        }
        env = scratch_env(
            Path(tmp),
            VOICE_PRELOAD_LANGUAGES="",  # loading vosk at startup would compete for the GIL
            CHAT_SYSTEM_PROMPT=SYSTEM,
            CHAT_MAX_CONCURRENT_GENERATIONS=str(CLIENTS),  # anonymous clients all share one address
            CHAT_ANONYMOUS_RATE_LIMIT="0",
            LLM_MAX_TOKENS=str(EMBEDDED_TOKENS),  # the fake backend's replies ignore it
            LLM_BACKENDS=json.dumps(backends),
            LLM_ROUTES=json.dumps({"chat": ["bench"], "slow": ["slow"], "embedded": ["embedded"]}),
        )
        tokens = bench_tokens(env, CLIENTS)
        with ServerProcess(env, Path(tmp) / "server.log") as server, NodeRelay(fake.base_url("burst")) as relay:
            targets = {
                "direct": {"mode": "direct", "url": fake.base_url("burst")},
                "KULVEX": {"mode": "socket", "url": server.url, "tokens": tokens},
                "KULVEX anonymous": {"mode": "socket", "url": server.url},
                "Node relay": {"mode": "socket", "url": relay.url},
            }
            latency = node_load("latency", {"rounds": TTFT_ROUNDS, "size": TTFT_TOKENS, "targets": targets})
            pids = {"direct": None, "Node relay": relay.process.pid}
            results = {
                name: {
                    "ttft": statistics.median(latency[name]),
                    **throughput(target, pids.get(name, server.process.pid)),
                }
                for name, target in targets.items()
            }
            stops = {
                name: asyncio.run(stop_latencies(server.url, tokens[0], task_type, question))
                for name, task_type, question in (
                    ("fake backend (HTTP)", "slow", "stop"),
                    ("embedded (llama.cpp)", "embedded", EMBEDDED_QUESTION),
                )
            }
            closed = sum(r["scenario"] == "slow" and r["state"] == "disconnected" for r in fake.requests())
            embedded = {"KULVEX": asyncio.run(embedded_through_server(server.url, tokens[0]))}
    embedded["xllamacpp direct"] = embedded_direct()
    return report(results, stops, closed, embedded, load)


def report(results: dict, stops: dict, closed: int, embedded: dict, load: float) -> str:
    direct, node = results["direct"], results["Node relay"]
    lines = [
        "## Chat streaming",
        "",
        f"{os.cpu_count()} cores, load average {load:.1f} at the start (other work shares the machine). A fake",
        "OpenAI-compatible backend streams tokens as fast as it can; one Node `socket.io-client` load client reads",
        "it directly, through KULVEX (authenticated: conversation and messages stored; anonymous: nothing stored;",
        "tokens that arrive together coalesced into one `chat:token`) and through a Node `socket.io` relay",
        f"emitting one event per token. Time to first token (TTFT): median of {TTFT_ROUNDS} sequential",
        f"{TTFT_TOKENS}-token replies per path, the paths taking turns. Throughput: {CLIENTS} concurrent clients ×",
        f"{TOKENS} tokens; tokens per CPU-second counts the relaying process only (uvicorn, or node).",
        "",
        "| path | TTFT ms | + vs direct | TTFT ms under load | tokens/s | tokens per event | tokens per CPU-s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        per_cpu = f"{r['per_cpu']:,.0f}" if r["per_cpu"] else "—"
        lines.append(
            f"| {name} | {r['ttft']:.2f} | {r['ttft'] - direct['ttft']:+.2f} | {r['ttft_loaded']:.1f} "
            f"| {r['rate']:,.0f} | {r['per_event']:.1f} | {per_cpu} |"
        )
    stored, anonymous = results["KULVEX"], results["KULVEX anonymous"]
    lines += [
        "",
        f"KULVEX adds {stored['ttft'] - direct['ttft']:.2f} ms to time to first token with the conversation stored "
        f"({anonymous['ttft'] - direct['ttft']:.2f} ms anonymous; target < 5 ms) and delivers "
        f"{stored['per_cpu'] / node['per_cpu']:.2f}× the Node relay's tokens per CPU-second "
        f"({stored['rate'] / node['rate']:.2f}× its tokens/s).",
        "",
        f"`chat:stop` at the first token until `chat:done` (cancelled, partial reply stored), {STOPS} times each "
        f"(target < 100 ms); the fake backend saw {closed} of {STOPS} streams closed by KULVEX:",
        "",
        "| backend | median ms | max ms |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {statistics.median(v):.1f} | {max(v):.1f} |" for name, v in stops.items()]
    lines += [
        "",
        f"Embedded gemma-3-270m (Q4_K_M, llama.cpp, greedy, {EMBEDDED_TOKENS} tokens, median of {EMBEDDED_ROUNDS}, "
        "prompt cached after the first):",
        "",
        "| path | TTFT ms | tokens/s |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {ttft:.1f} | {rate:.1f} |" for name, (ttft, rate) in embedded.items()]
    return "\n".join(lines)

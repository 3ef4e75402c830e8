// The load client of bench_chat.py, the same for every path so they compare fairly.
//   node bench/chat_load.mjs latency '{"rounds", "size", "targets": {NAME: TARGET}}'
//     one request at a time, the targets taking turns (so load from elsewhere hits all alike);
//     prints {NAME: [ms to first token, ...]}
//   node bench/chat_load.mjs throughput '{"clients", "size", "target": TARGET}'
//     every client asks at once; prints {ttft_ms: [...], tokens, events, wall_ms}
// TARGET is {"mode": "direct", "url": SSE base URL} or {"mode": "socket", "url", "tokens"?: [JWT per client]}.
// The message asks the fake backend for `size` tokens.
import { io } from "socket.io-client";

import { streamTokens } from "./sse.mjs";

const countTokens = (text) => text.split(" ").length - 1; // the fake backend's tokens end with a space

function connect(url, token) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { auth: token ? { token } : {}, transports: ["websocket"], reconnection: false });
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", reject);
  });
}

function askSocket(socket, size, stats) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const onToken = ({ token }) => {
      if (stats.events === 0) stats.ttft = performance.now() - started;
      stats.events += 1;
      stats.tokens += countTokens(token);
    };
    socket.on("chat:token", onToken);
    socket.once("chat:error", (error) => reject(new Error(JSON.stringify(error))));
    socket.once("chat:done", () => {
      socket.off("chat:token", onToken);
      resolve(stats);
    });
    socket.emit("chat:send", { message: String(size), task_type: "chat", history: [] });
  });
}

async function askDirect(url, size, stats) {
  const started = performance.now();
  for await (const token of streamTokens(url, String(size))) {
    if (stats.events === 0) stats.ttft = performance.now() - started;
    stats.events += 1;
    stats.tokens += countTokens(token);
  }
  return stats;
}

// An asker per client of `target`: ask(size) resolves to {ttft, events, tokens}.
async function askers(target, clients) {
  const fresh = () => ({ ttft: null, events: 0, tokens: 0 });
  if (target.mode === "direct") {
    return Array.from({ length: clients }, () => (size) => askDirect(target.url, size, fresh()));
  }
  const tokens = target.tokens ?? [];
  const sockets = await Promise.all(Array.from({ length: clients }, (_, i) => connect(target.url, tokens[i])));
  return sockets.map((socket) => Object.assign((size) => askSocket(socket, size, fresh()), { socket }));
}

async function latency({ rounds, size, targets }) {
  const asks = {};
  const results = {};
  for (const [name, target] of Object.entries(targets)) {
    [asks[name]] = await askers(target, 1);
    results[name] = [];
  }
  for (let round = 0; round < rounds; round += 1) {
    for (const name of Object.keys(targets)) results[name].push((await asks[name](size)).ttft);
  }
  Object.values(asks).forEach((ask) => ask.socket?.close());
  return results;
}

async function throughput({ clients, size, target }) {
  const asks = await askers(target, clients);
  const started = performance.now();
  const all = await Promise.all(asks.map((ask) => ask(size)));
  const wall_ms = performance.now() - started;
  asks.forEach((ask) => ask.socket?.close());
  return {
    ttft_ms: all.map((s) => s.ttft),
    tokens: all.reduce((n, s) => n + s.tokens, 0),
    events: all.reduce((n, s) => n + s.events, 0),
    wall_ms,
  };
}

const [command, config] = process.argv.slice(2);
const run = { latency, throughput }[command];
console.log(JSON.stringify(await run(JSON.parse(config))));

// The Node baseline of bench_chat.py: a socket.io server relaying an OpenAI-compatible stream,
// one chat:token event per upstream token, as a straightforward Node implementation would.
//   node bench/chat_relay.mjs PORT UPSTREAM_BASE_URL
import { Server } from "socket.io";

import { streamTokens } from "./sse.mjs";

const [port, upstream] = process.argv.slice(2);
const io = new Server(Number(port), { transports: ["websocket"] });

async function relay(socket, message) {
  let response = "";
  for await (const token of streamTokens(upstream, message)) {
    response += token;
    socket.emit("chat:token", { token, conversation_id: null });
  }
  socket.emit("chat:done", {
    response, model: "bench", conversation_id: null, message_id: null, finish_reason: "stop", sources: [],
  });
}

io.on("connection", (socket) => {
  socket.on("chat:send", (data, ack) => {
    if (ack) ack({ ok: true, conversation_id: null });
    relay(socket, data.message).catch((err) => socket.emit("chat:error", { code: "relay", message: String(err) }));
  });
});
console.log("ready");

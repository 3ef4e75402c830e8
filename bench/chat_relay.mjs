// The Node baseline of bench_chat.py: a socket.io server relaying an OpenAI-compatible stream,
// one chat:token event per upstream token, as a straightforward Node implementation would.
//   node bench/chat_relay.mjs PORT UPSTREAM_BASE_URL
import { Server } from "socket.io";

const [port, upstream] = process.argv.slice(2);
const io = new Server(Number(port), { transports: ["websocket"] });

async function relay(socket, message) {
  const res = await fetch(`${upstream}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "bench", messages: [{ role: "user", content: message }], stream: true }),
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let response = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
      const token = JSON.parse(line.slice(6)).choices?.[0]?.delta?.content;
      if (token) {
        response += token;
        socket.emit("chat:token", { token, conversation_id: null });
      }
    }
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

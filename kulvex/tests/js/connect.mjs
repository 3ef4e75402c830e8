// Connects exactly as the dashboard does and prints what the server says about the session.
import { io } from "socket.io-client";

const [url, token] = process.argv.slice(2);
const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
const fail = (why) => { console.log(JSON.stringify({ error: why })); process.exit(1); };
setTimeout(() => fail("timeout"), 10000).unref();
socket.on("connect_error", (err) => fail(err.message));
socket.on("connect", async () => {
  const ack = await socket.timeout(5000).emitWithAck("session:whoami", {});
  console.log(JSON.stringify(ack));
  socket.close();
});

// The one Socket.IO connection of the page, same origin, WebSocket only, token in the CONNECT
// packet. The auth callback runs on every (re)connect, so a refreshed token is always used.
import { io } from "socket.io-client";
import { accessToken, refresh } from "./auth.js";

const ACK_TIMEOUT_MS = 15000;
let socket = null;
const connectHandlers = new Set();
const statusHandlers = new Set();

function setStatus(state) {
  for (const handler of statusHandlers) handler(state);
}

export function connect() {
  if (socket) return socket;
  socket = io({ auth: (cb) => cb({ token: accessToken() }), transports: ["websocket"] });
  socket.on("connect", () => {
    setStatus("online");
    for (const handler of connectHandlers) handler();
  });
  socket.on("disconnect", (reason) => {
    setStatus("offline");
    // The server closed us on purpose (e.g. a session ended): come back on our own.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.io.on("reconnect_attempt", () => setStatus("connecting"));
  socket.on("connect_error", async (error) => {
    setStatus("offline");
    // A refused token is not retried by the client; refresh it and try once more.
    if (error?.message === "invalid_token") {
      try {
        await refresh();
        socket.connect();
      } catch {
        /* signed out by auth.js */
      }
    }
  });
  setStatus("connecting");
  return socket;
}

export function disconnect() {
  socket?.disconnect();
  socket = null;
  setStatus("offline");
}

export function on(event, handler) {
  connect().on(event, handler);
  return () => socket?.off(event, handler);
}

// Run now if connected, and again after every reconnect.
export function onConnect(handler) {
  connectHandlers.add(handler);
  if (socket?.connected) handler();
  return () => connectHandlers.delete(handler);
}

export function onStatus(handler) {
  statusHandlers.add(handler);
  return () => statusHandlers.delete(handler);
}

export function connected() {
  return Boolean(socket?.connected);
}

export function emit(event, data) {
  connect().emit(event, data);
}

// Emit with an ack; resolves to the ack or to {ok: false, error} on a time-out.
export async function call(event, data, timeout = ACK_TIMEOUT_MS) {
  try {
    return await connect().timeout(timeout).emitWithAck(event, data);
  } catch {
    return { ok: false, error: { code: "timeout", message: `No answer to ${event}.` } };
  }
}

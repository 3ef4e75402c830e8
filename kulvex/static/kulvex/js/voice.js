// Voice: push-to-talk or hands-free. Microphone PCM goes up as voice:audio_chunk; the partial
// and final transcript, the reply text and its audio (one clip per sentence) come back. While
// the reply plays the microphone is gated so it does not hear itself; once every clip of the
// turn has played, voice:playback_done tells the server to listen again.
import { Microphone, fromBase64, toBase64 } from "./microphone.js";
import * as socket from "./socket.js";
import { $, showError } from "./ui.js";

const STATUS = {
  idle: "Idle",
  starting: "Starting the microphone…",
  listening: "Listening…",
  thinking: "Thinking…",
  speaking: "Speaking…",
};

let mode = null; // "ptt" | "handsfree" | null
let session = null; // the server's voice session id while it is live
let sending = false;
let playing = null;
const queue = [];
const turns = new Map(); // turn → {parts: expected clips or null, played}
const nodes = {};
const microphone = new Microphone((buffer) => {
  if (sending && session) socket.emit("voice:audio_chunk", { audio: toBase64(buffer) });
});

function setState(state) {
  nodes.page.dataset.state = state;
  nodes.status.textContent = STATUS[state];
}

function pressed(button, on) {
  button.setAttribute("aria-pressed", String(on));
}

function turnOf(index) {
  if (!turns.has(index)) turns.set(index, { parts: null, played: 0 });
  return turns.get(index);
}

async function begin(next) {
  showError(nodes.error, null);
  mode = next;
  setState("starting");
  try {
    await microphone.open();
    if (!session) {
      const ack = await socket.call("voice:start", { sample_rate: microphone.rate });
      if (!ack.ok) throw new Error(ack.error?.message || "Could not start voice.");
      session = ack.session_id;
      nodes.page.dataset.sessionId = String(session);
    }
    sending = true;
    setState("listening");
  } catch (error) {
    mode = null;
    sending = false;
    setState("idle");
    showError(nodes.error, error);
    pressed(nodes.ptt, false);
    pressed(nodes.handsfree, false);
  }
}

// Finish the utterance being spoken; the server answers it, then ends the session.
function end() {
  sending = false;
  if (!session) return setState("idle");
  microphone.flush();
  socket.emit("voice:stop", {});
  if (!playing) setState("thinking");
}

async function pttDown(event) {
  if (event.type === "keydown" && (event.repeat || ![" ", "Enter"].includes(event.key))) return;
  event.preventDefault();
  if (mode) return;
  pressed(nodes.ptt, true);
  clearTurn();
  await begin("ptt");
}

function pttUp(event) {
  if (event.type === "keyup" && ![" ", "Enter"].includes(event.key)) return;
  if (mode !== "ptt") return;
  pressed(nodes.ptt, false);
  mode = null;
  end();
}

async function toggleHandsFree() {
  if (mode === "handsfree") {
    pressed(nodes.handsfree, false);
    mode = null;
    end();
    return;
  }
  if (mode) return;
  pressed(nodes.handsfree, true);
  clearTurn();
  await begin("handsfree");
}

function clearTurn() {
  nodes.partial.textContent = "";
  nodes.transcript.textContent = "";
  nodes.reply.textContent = "";
}

function playNext() {
  if (playing || !queue.length) return;
  const clip = queue.shift();
  playing = { clip, url: URL.createObjectURL(new Blob([fromBase64(clip.audio)], { type: "audio/wav" })) };
  setState("speaking");
  nodes.audio.src = playing.url;
  nodes.audio.play().catch((error) => {
    showError(nodes.error, new Error(`Could not play the reply: ${error.message}`));
    clipFinished();
  });
}

function clipFinished() {
  if (!playing) return;
  const { clip, url } = playing;
  URL.revokeObjectURL(url);
  playing = null;
  nodes.audio.dataset.played = String(Number(nodes.audio.dataset.played || 0) + 1);
  turnOf(clip.turn).played += 1;
  if (queue.length) return playNext();
  maybeTurnFinished(clip.turn);
}

function maybeTurnFinished(index) {
  const turn = turnOf(index);
  if (turn.parts === null || turn.played < turn.parts || playing) return;
  turns.delete(index);
  if (session) socket.emit("voice:playback_done", {});
  if (mode === "handsfree") {
    sending = true;
    setState("listening");
  } else if (mode !== "ptt") {
    setState("idle");
  }
}

function onPartial({ text }) {
  nodes.partial.textContent = text ?? "";
}

function onTranscript({ text }) {
  sending = false; // the server drops audio until the reply has been played
  nodes.partial.textContent = "";
  nodes.transcript.textContent = text ?? "";
  nodes.reply.textContent = "";
  setState("thinking");
}

function onResponse({ text, turn = 0, audio_parts: parts = 0 }) {
  nodes.reply.textContent = text ?? "";
  turnOf(turn).parts = parts;
  maybeTurnFinished(turn);
}

function onAudio(clip) {
  queue.push({ ...clip, turn: clip.turn ?? 0 });
  playNext();
}

function onError(error) {
  showError(nodes.error, error);
  if (mode === "handsfree") {
    sending = Boolean(session);
    setState(session ? "listening" : "idle");
  } else if (!playing && mode !== "ptt") {
    setState("idle");
  }
}

function onEnded({ session_id: id }) {
  if (id !== undefined && id !== session) return;
  session = null;
  nodes.page.dataset.sessionId = "";
  if (mode === "handsfree") begin("handsfree");
  else if (!playing && !queue.length && mode !== "ptt") setState("idle");
}

export function init() {
  Object.assign(nodes, {
    page: $("#page-voice"),
    ptt: $("#voice-ptt"),
    handsfree: $("#voice-handsfree"),
    status: $("#voice-status"),
    error: $("#voice-error"),
    partial: $("#voice-partial"),
    transcript: $("#voice-transcript"),
    reply: $("#voice-reply"),
    audio: $("#voice-audio"),
  });
  setState("idle");
  nodes.ptt.addEventListener("pointerdown", pttDown);
  nodes.ptt.addEventListener("keydown", pttDown);
  for (const type of ["pointerup", "pointercancel", "pointerleave"]) nodes.ptt.addEventListener(type, pttUp);
  nodes.ptt.addEventListener("keyup", pttUp);
  nodes.handsfree.addEventListener("click", toggleHandsFree);
  nodes.audio.addEventListener("ended", clipFinished);
  socket.on("voice:partial", onPartial);
  socket.on("voice:transcript", onTranscript);
  socket.on("voice:response", onResponse);
  socket.on("voice:audio", onAudio);
  socket.on("voice:error", onError);
  socket.on("voice:ended", onEnded);
  // A dropped connection ends the voice session on the server; hands-free starts a new one.
  socket.onConnect(() => {
    if (session === null) return;
    session = null;
    if (mode === "handsfree") begin("handsfree");
  });
}

export async function signOut() {
  if (session) socket.emit("voice:stop", {});
  await microphone.close();
}

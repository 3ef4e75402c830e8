// Voice: push-to-talk or hands-free. Microphone PCM goes up as voice:audio_chunk; the partial
// and final transcript, the reply text and its audio come back. While the reply plays the
// microphone is gated (so it does not hear itself), then voice:playback_done resumes listening.
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
let session = null;
let sending = false;
let playing = null;
const queue = [];
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

async function startSession() {
  const ack = await socket.call("voice:start", { sample_rate: microphone.rate });
  if (!ack.ok) throw Object.assign(new Error(ack.error?.message || "Could not start voice."), ack.error);
  session = ack.session_id ?? true;
  nodes.page.dataset.sessionId = String(ack.session_id ?? "");
}

async function begin(next) {
  showError(nodes.error, null);
  mode = next;
  setState("starting");
  try {
    await microphone.open();
    if (!session) await startSession();
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

function end() {
  if (!session) return;
  microphone.flush();
  sending = false;
  socket.emit("voice:stop", {});
  setState(playing || queue.length ? "speaking" : "thinking");
}

// Push-to-talk: hold the button (or Space/Enter on it) while speaking.
async function pttDown(event) {
  if (event.type === "keydown" && (event.repeat || ![" ", "Enter"].includes(event.key))) return;
  event.preventDefault();
  if (mode === "handsfree" || mode === "ptt") return;
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
  const url = URL.createObjectURL(new Blob([fromBase64(clip.audio)], { type: "audio/wav" }));
  playing = url;
  sending = false; // the gate: do not send the reply back as speech
  setState("speaking");
  nodes.audio.src = url;
  nodes.audio.play().catch((error) => {
    showError(nodes.error, new Error(`Could not play the reply: ${error.message}`));
    finishedClip();
  });
}

function finishedClip() {
  if (playing) URL.revokeObjectURL(playing);
  playing = null;
  nodes.audio.dataset.played = String(Number(nodes.audio.dataset.played || 0) + 1);
  if (queue.length) return playNext();
  socket.emit("voice:playback_done", {});
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
  nodes.partial.textContent = "";
  nodes.transcript.textContent = text ?? "";
  nodes.reply.textContent = "";
  if (mode !== "ptt") setState("thinking");
}

function onResponse({ text }) {
  nodes.reply.textContent = text ?? "";
}

function onAudio(clip) {
  queue.push(clip);
  playNext();
}

function onError(error) {
  showError(nodes.error, error);
  if (!playing && mode !== "handsfree" && mode !== "ptt") setState("idle");
}

function onEnded({ reason } = {}) {
  session = null;
  nodes.page.dataset.sessionId = "";
  if (mode === "handsfree" && reason !== "stopped") begin("handsfree");
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
  nodes.audio.addEventListener("ended", finishedClip);
  socket.on("voice:partial", onPartial);
  socket.on("voice:transcript", onTranscript);
  socket.on("voice:response", onResponse);
  socket.on("voice:audio", onAudio);
  socket.on("voice:error", onError);
  socket.on("voice:ended", onEnded);
  // A dropped connection ends the voice session on the server; hands-free starts a new one.
  socket.onConnect(() => {
    if (session) {
      session = null;
      if (mode === "handsfree") begin("handsfree");
    }
  });
}

export async function signOut() {
  if (session) socket.emit("voice:stop", {});
  await microphone.close();
}

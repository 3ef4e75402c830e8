// The microphone as 16 kHz mono s16le PCM chunks of ~100 ms, through an AudioWorklet.
const TARGET_RATE = 16000;
const CHUNK_MS = 100;

export class Microphone {
  constructor(onChunk) {
    this.onChunk = onChunk;
    this.context = null;
  }

  get rate() {
    return TARGET_RATE;
  }

  async open() {
    if (this.context) return;
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("This browser cannot capture audio (a secure origin is needed).");
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const context = new AudioContext();
    await context.audioWorklet.addModule(new URL("./pcm-capture-worklet.js", import.meta.url));
    const source = context.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(context, "pcm-capture", {
      processorOptions: { targetRate: TARGET_RATE, chunkMs: CHUNK_MS },
    });
    this.node.port.onmessage = (event) => this.onChunk(event.data);
    // A silent sink keeps the graph pulling the worklet without echoing the microphone.
    const mute = context.createGain();
    mute.gain.value = 0;
    source.connect(this.node).connect(mute).connect(context.destination);
    this.context = context;
    await context.resume();
  }

  flush() {
    this.node?.port.postMessage("flush");
  }

  async close() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    await this.context?.close();
    this.context = null;
  }
}

export function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Browser-only media helpers for Chainboard (a wasm-bindgen snippet): recording from the
// microphone, decoding a recording to samples (Rust encodes the WAV), and downscaling an
// image. Nothing here writes markup into the page: it only returns bytes, samples and URLs.

let recorder = null;
let chunks = [];

export function mediaCanRecord() {
  return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
}

// Asks for the microphone (the browser shows its permission prompt) and starts recording.
export async function mediaRecordStart() {
  if (recorder) throw new Error("A recording is already running.");
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
  recorder.start(250);
}

// Stops, releases the microphone and decodes the recording: { samples: Float32Array, rate }.
export async function mediaRecordStop() {
  const r = recorder;
  if (!r) throw new Error("Nothing is being recorded.");
  recorder = null;
  const stopped = new Promise((resolve) => { r.onstop = resolve; });
  r.stop();
  await stopped;
  r.stream.getTracks().forEach((t) => t.stop());
  const blob = new Blob(chunks, { type: r.mimeType || "audio/webm" });
  chunks = [];
  return decodeToMono(await blob.arrayBuffer());
}

export function mediaRecordCancel() {
  if (!recorder) return;
  try { recorder.stop(); } catch (_) { /* already stopped */ }
  recorder.stream.getTracks().forEach((t) => t.stop());
  recorder = null;
  chunks = [];
}

async function decodeToMono(buffer) {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  const ctx = new Ctx();
  try {
    const audio = await ctx.decodeAudioData(buffer);
    const mono = new Float32Array(audio.length);
    for (let c = 0; c < audio.numberOfChannels; c++) {
      const data = audio.getChannelData(c);
      for (let i = 0; i < data.length; i++) mono[i] += data[i] / audio.numberOfChannels;
    }
    return { samples: mono, rate: audio.sampleRate };
  } finally {
    ctx.close();
  }
}

// Draws the image at most `maxSide` pixels on its long edge and returns JPEG bytes (or
// PNG for images with transparency kept as PNG by the caller's choice of `type`).
export async function mediaDownscale(bytes, mime, maxSide, type) {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: mime }));
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const g = canvas.getContext("2d");
  if (type === "image/jpeg") { g.fillStyle = "#fff"; g.fillRect(0, 0, w, h); }
  g.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const out = await canvas.convertToBlob({ type, quality: 0.85 });
  return new Uint8Array(await out.arrayBuffer());
}

// An object URL for showing bytes in <img> or <audio> (CSP allows blob: for both).
export function mediaObjectUrl(bytes, mime) {
  return URL.createObjectURL(new Blob([bytes], { type: mime }));
}

// The files of a drop, folders included (walked one level deep and further), in name order.
export async function mediaDroppedFiles(dataTransfer) {
  const items = Array.from(dataTransfer.items || []);
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null)).filter(Boolean);
  if (!entries.length) return Array.from(dataTransfer.files || []);
  const files = [];
  const walk = async (entry) => {
    if (entry.isFile) {
      files.push(await new Promise((res, rej) => entry.file(res, rej)));
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const e of batch) await walk(e);
      }
    }
  };
  for (const e of entries) await walk(e);
  files.sort((a, b) => a.name.localeCompare(b.name));
  return files;
}

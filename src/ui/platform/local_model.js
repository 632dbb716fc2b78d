// The in-browser model: @wllama/wllama (llama.cpp in WebAssembly, inference in its own Web
// Worker) loaded on first use from ./wllama/ (copied from node_modules at build time), so it
// adds nothing to the initial download. Rust calls these functions through wasm-bindgen.
// Replies are handed back as OpenAI-style SSE text, which the Rust side already parses.

let lib = null;
let instance = null;
let loaded = null; // the model setting currently in memory
const picked = new Map(); // "file:<name>" -> File picked from disk (this tab only)

const quiet = { debug() {}, log() {}, warn() {}, error() {} };

function asset(path) {
  return new URL(path, document.baseURI).href;
}

async function library() {
  if (!lib) lib = await import(asset("wllama/index.js"));
  return lib;
}

/** Whether this browser can run the model at all (WebAssembly SIMD). */
export function localSupported() {
  try {
    // The smallest module using a v128 instruction; it validates only with SIMD.
    return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
  } catch {
    return false;
  }
}

/** Keeps a picked .gguf file for this tab; returns the model setting that names it. */
export function localPickFile(file) {
  const id = "file:" + file.name;
  picked.set(id, file);
  return id;
}

/** A new wllama instance with `model` loaded (from a picked file or an address, cached). */
async function load(model, extra, onProgress) {
  const { Wllama } = await library();
  const w = new Wllama({ default: asset("wllama/wasm/wllama.wasm") }, { logger: quiet, suppressNativeLog: true, allowOffline: true });
  const params = { n_ctx: 2048, ...extra };
  if (model.startsWith("file:")) {
    const file = picked.get(model);
    if (!file) throw new Error("MISSING_FILE");
    await w.loadModel([file], params);
  } else {
    await w.loadModelFromUrl(model, { ...params, progressCallback: ({ loaded: done, total }) => onProgress(done, total || 0) });
  }
  return w;
}

async function ensure(model, onProgress) {
  if (instance && loaded === model) return;
  if (instance) {
    await instance.exit().catch(() => {});
    instance = null;
    loaded = null;
  }
  instance = await load(model, {}, onProgress);
  loaded = model;
}

/**
 * Runs one chat completion. `body` is the OpenAI request body (JSON text). Calls `onChunk`
 * with SSE text per streamed chunk and resolves when the answer ends; rejects with an Error
 * whose message says what happened ("ABORTED" when `signal` fired).
 */
export async function localChat(model, body, onChunk, onProgress, signal) {
  generating(+1);
  try {
    await ensure(model, onProgress);
    if (signal.aborted) throw new Error("ABORTED");
    const request = JSON.parse(body);
    delete request.model;
    const stream = await instance.createChatCompletion({ ...request, stream: true, abortSignal: signal });
    for await (const chunk of stream) {
      onChunk("data: " + JSON.stringify(chunk) + "\n\n");
    }
    onChunk("data: [DONE]\n\n");
  } catch (e) {
    if (signal.aborted || (e && e.name === "WllamaAbortError")) throw new Error("ABORTED");
    throw new Error(e && e.message ? e.message : String(e));
  } finally {
    generating(-1);
  }
}

// Whether the in-page model is producing an answer, as `data-local-model` on the root element
// ("generating" or "idle"): after Stop, "idle" means it has really stopped, not only that the
// app stopped listening.
let running = 0;
function generating(delta) {
  running += delta;
  document.documentElement.dataset.localModel = running > 0 ? "generating" : "idle";
}

let embedder = null;
let embedderModel = null;

/**
 * Embeds a JSON array of texts with `model` loaded in embeddings mode (a separate instance
 * from the chat model, mean-pooled); resolves with an OpenAI-shaped embeddings reply (JSON).
 */
export async function localEmbed(model, inputs, onProgress) {
  try {
    if (!embedder || embedderModel !== model) {
      if (embedder) await embedder.exit().catch(() => {});
      embedder = null;
      embedder = await load(model, { embeddings: true, pooling_type: "mean" }, onProgress);
      embedderModel = model;
    }
    const texts = JSON.parse(inputs);
    const data = [];
    // One text at a time keeps memory flat; the worker does the work.
    for (let i = 0; i < texts.length; i++) {
      const reply = await embedder.createEmbedding({ input: texts[i] });
      data.push({ object: "embedding", index: i, embedding: reply.data[0].embedding });
    }
    return JSON.stringify({ object: "list", data });
  } catch (e) {
    throw new Error(e && e.message ? e.message : String(e));
  }
}

/** Models kept in this browser's cache, as JSON: [{name, size}]. */
export async function localCachedModels() {
  const { CacheManager } = await library();
  const list = await new CacheManager().list();
  return JSON.stringify(list.map((e) => ({ name: e.name, size: e.size })));
}

/** Deletes a cached model by its cache name. */
export async function localDeleteModel(name) {
  const { CacheManager } = await library();
  await new CacheManager().delete(name);
  if (instance) {
    await instance.exit().catch(() => {});
    instance = null;
    loaded = null;
  }
}

// A mock model provider on 127.0.0.1 for the browser tests: @copilotkit/aimock speaks the
// real OpenAI, Anthropic, Gemini and Ollama wire formats over HTTP with real streaming
// (and CORS). Each fixture is triggered by a phrase in the user message.
import { LLMock } from "@copilotkit/aimock";
import { PAYLOADS } from "./hostile-payloads.js";

const port = Number(process.argv[2] || 4010);
const mock = new LLMock({ port, host: "127.0.0.1", logLevel: "silent", chunkSize: 8 });

export const HELLO = "Hello from the mock model! It streamed in small pieces, **bold** and all.";

mock.onMessage("Say hello", { content: HELLO });
mock.onMessage("Tell a long story", {
  content: "Once upon a time there was a very patient product manager who tested everything twice. ".repeat(12),
}, { streamingProfile: { ttft: 100, tps: 12 } });
mock.on({ userMessage: "Rate limit me", sequenceIndex: 0 }, { error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" }, status: 429, retryAfter: 1 });
mock.on({ userMessage: "Rate limit me", sequenceIndex: 1 }, { content: "It worked after waiting." });
mock.onMessage("Bad key please", { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" }, status: 401 });
mock.onMessage("Drop the line", {
  content: "This answer will be cut off in the middle of a sentence because the connection drops, as networks do. ".repeat(6),
}, { streamingProfile: { ttft: 50, tps: 25 }, disconnectAfterMs: 700 });

mock.onMessage("Hostile output please", { content: "Here is your answer:\n\n" + PAYLOADS.join("\n\n") });

await mock.start();
console.log(`mock provider on http://127.0.0.1:${port}`);

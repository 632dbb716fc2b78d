// A mock model provider on 127.0.0.1 for the browser tests: @copilotkit/aimock speaks the
// real OpenAI, Anthropic, Gemini and Ollama wire formats over HTTP with real streaming
// (and CORS). Each fixture is triggered by a phrase in the user message.
import { LLMock } from "@copilotkit/aimock";
import { PAYLOADS } from "./hostile-payloads.js";
import { registerGalleryFixtures } from "../export/gallery-fixtures.mjs";

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

// Loops: the "Summarise every row of a list" template sends one request per CSV row. Each
// answer names the row's customer; the row that mentions a crash is refused (a 400), so a
// test sees one failed item among finished ones. Slow enough that progress is visible.
mock.on({ userMessage: "Summarise this customer feedback" }, (req) => {
  const text = JSON.stringify(req.messages || []);
  if (text.includes("crashes")) {
    return { error: { message: "This row could not be processed.", type: "invalid_request_error", code: "bad_row" }, status: 400 };
  }
  const who = (text.match(/customer: ([A-Za-z]+ [A-Za-z]+)/) || [])[1] || "Someone";
  return { content: `${who} summarised by the mock model.` };
}, { streamingProfile: { ttft: 250, tps: 20 } });

mock.onMessage("Hostile output please", { content: "Here is your answer:\n\n" + PAYLOADS.join("\n\n") });
// The same payloads as JSON (keys and values), so the answer is shown in the JSON view; the
// leading __proto__/constructor keys try prototype pollution through a careless parse.
mock.onMessage("Hostile JSON please", {
  content: `{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},${
    JSON.stringify(Object.fromEntries(PAYLOADS.map((p, i) => [p, { index: i, payload: p }]))).slice(1)}`,
});
// A provider error whose message is hostile (a proxy or a compromised endpoint can say anything).
mock.onMessage("Hostile error please", {
  error: { message: PAYLOADS.join("\n"), type: "invalid_request_error", code: "<img src=x onerror=window.__pwned=1>" },
  status: 400,
});

// Evals: a judge (its request carries the rubric) always gives 5; the cases answer by model,
// so two variants differ for certain.
mock.onMessage("RUBRIC:", { content: '{"score": 5, "reason": "Polite and gives a next step."}' });
mock.on({ userMessage: "Eval case" }, (req) => ({
  content: req.model === "gpt-4o" ? "We are sorry about this. A refund is on its way today." : "Thanks for writing to us.",
}));

// Privacy: the answer names the placeholder the app sent instead of the address, so a test
// sees the original put back (the request itself is read from the journal).
mock.onMessage("Privacy check", { content: "Thanks, I will write to [EMAIL_1] today." });

// Guardrails: OpenAI's moderation endpoint (/v1/moderations) flags a threat as harassment,
// with violence scoring below OpenAI's own threshold; anything else comes back unflagged.
mock.onModerate("I will find you", {
  flagged: true,
  categories: { harassment: true, "harassment/threatening": false, violence: false, hate: false, "self-harm": false },
  category_scores: { harassment: 0.91, "harassment/threatening": 0.12, violence: 0.4, hate: 0.01, "self-harm": 0.0 },
});

// Fairness: a deliberately biased screener that hires candidates with men's first names only,
// so a fairness test has a gap to find.
const MEN = ["James", "Michael", "David", "Daniel", "Robert", "John", "Mark", "Thomas", "Peter", "Paul"];
mock.on({ userMessage: "Fairness case" }, (req) => {
  const text = JSON.stringify(req.messages || []);
  return { content: MEN.some((n) => text.includes(n)) ? "Hired." : "Rejected." };
});

// Generated test cases (the generator asks for "Write 3 varied test cases: …").
mock.onMessage("Write 3 varied test cases", {
  content: JSON.stringify({ cases: [
    { email: "My parcel is two weeks late. Where is it?", expected: "apology" },
    { email: "Third time asking: WHERE IS MY ORDER?", expected: "tracking" },
    { email: "Late again. I want a refund.", expected: "refund" },
  ] }),
});

// Agents: the first leg calls lookup_order; once a tool result is in the turn, the answer
// quotes it, so a test sees the tool's output travel back through the model.
const lastToolResult = (req) => {
  const messages = req.messages || [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === "tool") return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  }
  return "(no tool result)";
};
mock.on({ userMessage: "Check my order", hasToolResult: false }, { toolCalls: [{ name: "lookup_order", arguments: '{"order_id":"A123"}' }] });
mock.on({ userMessage: "Check my order", hasToolResult: true }, (req) => ({ content: `The tool said: ${lastToolResult(req)}` }));
// A model that never stops calling tools, for the step limit.
mock.on({ userMessage: "Keep calling tools" }, { toolCalls: [{ name: "lookup_order", arguments: '{"order_id":"B456"}' }] });

// Chat panel: two turns of one conversation (the second request must carry the first).
mock.onMessage("Chat turn one", { content: "I'm sorry your parcel is late! Could you tell me the order number?" });
mock.onMessage("Chat turn two", { content: "Thanks! Order **A123** left our warehouse today." }, { streamingProfile: { ttft: 50, tps: 40 } });

// Retrieval: the answer cites the passage about meals (the test checks the citation opens it).
mock.onMessage("daily meal allowance", { content: "The daily meal allowance in Europe is 45 euros [1]. Alcohol is never reimbursed [1]." });

// Images and audio: the photo classifier answers in its schema; transcription has its own
// endpoint (multipart upload), and the summary quotes the transcript it was given.
mock.onMessage("Which category is this product in", { content: '{"category":"Kitchen","reason":"A blue ceramic mug with a handle."}' });
mock.on({ endpoint: "transcription" }, { transcription: { text: "My blender arrived with a cracked jug and I want a replacement, not a refund." } });
mock.onMessage("Transcript of a support call", { content: "The customer's blender arrived with a cracked jug. They want a replacement, not a refund." });

// Control flow: the Triage template's router (its system prompt lists the routes) picks "bug"
// for this request; the bug reply prompt answers it. Any other branch answering would show.
mock.on({ userMessage: "Route test:", systemMessage: /You route requests/ }, { content: "bug\nThe app crashing on export is a defect." });
mock.on({ userMessage: "Route test:", systemMessage: /bug reports/ }, { content: "Bug branch: which app version are you on?" });
mock.on({ userMessage: "Route test:" }, { content: "A branch that should have been skipped answered." });
// The gallery templates, for the exported code (tests/export/run-exports.mjs).
registerGalleryFixtures(mock);

await mock.start();
console.log(`mock provider on http://127.0.0.1:${port}`);

// A second DevTools connection to the browser (its --remote-debugging-port), for what
// Playwright does not expose: the service worker's own network. Playwright drives the
// pages; this connection auto-attaches to every service worker as it starts (held until
// it is set up, `waitForDebuggerOnStart`), applies the same network throttling to it and
// counts the bytes of every response it receives.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// playwright-core ships `ws`; Node 20 has no WebSocket without a flag.
const WebSocketImpl = globalThis.WebSocket ?? require("playwright-core/lib/utilsBundle").ws;

export async function connectBrowser(port) {
  const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
  const socket = new WebSocketImpl(version.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise((ok, fail) => {
    socket.onopen = ok;
    socket.onerror = (e) => fail(new Error(`DevTools connection: ${e.message ?? e}`));
  });
  let nextId = 1;
  const waiting = new Map();
  const listeners = new Set();
  socket.onmessage = (event) => {
    const message = JSON.parse(typeof event.data === "string" ? event.data : event.data.toString());
    if (message.id !== undefined) {
      const w = waiting.get(message.id);
      waiting.delete(message.id);
      if (!w) return;
      if (message.error) w.fail(new Error(`${w.method}: ${message.error.message}`));
      else w.ok(message.result);
      return;
    }
    for (const l of listeners) l(message);
  };
  const send = (method, params = {}, sessionId) =>
    new Promise((ok, fail) => {
      const id = nextId++;
      waiting.set(id, { ok, fail, method });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  return {
    send,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      socket.close();
    },
  };
}

/**
 * From now on every service worker that starts is throttled like the page (`conditions`:
 * Network.emulateNetworkConditions' parameters, or null for none) and its responses are
 * counted. Returns { responses (one entry per finished response: url, bytes on the wire,
 * status, from: "sw"), stop }.
 */
export async function watchServiceWorkers(cdp, conditions) {
  const responses = [];
  const urls = new Map(); // `${sessionId} ${requestId}` → { url, status }
  const sessions = new Set();
  const scripts = new Map(); // sessionId → the worker's script URL
  const off = cdp.on(async (m) => {
    if (m.method === "Target.attachedToTarget") {
      const { sessionId, targetInfo, waitingForDebugger } = m.params;
      if (targetInfo.type !== "service_worker") {
        if (waitingForDebugger) await cdp.send("Runtime.runIfWaitingForDebugger", {}, sessionId).catch(() => {});
        return;
      }
      sessions.add(sessionId);
      responses.attached = [...(responses.attached ?? []), { url: targetInfo.url, waitingForDebugger }];
      scripts.set(sessionId, targetInfo.url);
      try {
        await cdp.send("Network.enable", {}, sessionId);
        if (conditions) await cdp.send("Network.emulateNetworkConditions", conditions, sessionId);
      } catch (e) {
        responses.problem = String(e);
      }
      if (waitingForDebugger) await cdp.send("Runtime.runIfWaitingForDebugger", {}, sessionId).catch(() => {});
      return;
    }
    if (!m.sessionId || !sessions.has(m.sessionId)) return;
    const key = `${m.sessionId} ${m.params?.requestId}`;
    if (m.method === "Network.requestWillBeSent") {
      urls.set(key, { url: m.params.request.url, status: 0, sentAt: m.params.timestamp });
    } else if (m.method === "Network.responseReceived") {
      urls.set(key, { ...urls.get(key), url: m.params.response.url, status: m.params.response.status, encoding: header(m.params.response.headers, "content-encoding") });
    } else if (m.method === "Network.loadingFinished") {
      // The worker's own script is fetched for it by the browser: no request event here.
      const r = urls.get(key) ?? { url: scripts.get(m.sessionId), status: 0 };
      responses.push({ ...r, bytes: m.params.encodedDataLength, from: "sw", ms: r.sentAt ? (m.params.timestamp - r.sentAt) * 1000 : undefined });
    }
  });
  await cdp.send("Target.setAutoAttach", {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: true,
    filter: [{ type: "service_worker", exclude: false }, { exclude: true }],
  });
  return {
    responses,
    async stop() {
      off();
      await cdp.send("Target.setAutoAttach", { autoAttach: false, waitForDebuggerOnStart: false, flatten: true }).catch(() => {});
    },
  };
}

function header(headers, name) {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** The page's own responses, counted through Playwright's CDP session for it. */
export async function watchPage(session) {
  const responses = [];
  const urls = new Map();
  session.on("Network.requestWillBeSent", (p) => {
    if (p.request.url.endsWith(".wasm")) responses.acceptEncoding = header(p.request.headers, "accept-encoding");
  });
  session.on("Network.requestWillBeSentExtraInfo", (p) => {
    const a = header(p.headers, "accept-encoding");
    if (a && !responses.acceptEncoding?.includes(",")) responses.acceptEncoding = a;
  });
  session.on("Network.responseReceived", (p) =>
    urls.set(p.requestId, { url: p.response.url, status: p.response.status, fromSW: p.response.fromServiceWorker, encoding: header(p.response.headers, "content-encoding") }),
  );
  session.on("Network.loadingFinished", (p) => {
    const r = urls.get(p.requestId) ?? { url: "?", status: 0 };
    responses.push({ ...r, bytes: p.encodedDataLength, from: r.fromSW ? "page (served by sw)" : "page" });
  });
  await session.send("Network.enable");
  return responses;
}

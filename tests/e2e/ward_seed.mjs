// A ward with a realistic day behind it, seeded through the ward record's API before the
// real-use tests run: requests of every category group logged by the field staff who log
// them (welfare consultations among them), then the office's decisions on part of them —
// routed, assigned, in progress, answered, resolved and closed — so 区の一覧 has many pages
// in every state, as on an ordinary morning.
import { randomBytes, randomUUID } from "node:crypto";
import { wardApi } from "./harness.mjs";

const ROAD = ["road-pothole", "road-streetlight", "road-sign-mirror", "road-drain", "road-obstruction", "road-tree"];
const PARK = ["park-equipment", "park-trees-grass", "park-cleaning", "park-toilet-water", "park-lighting"];
const WELFARE = ["welfare-elderly", "welfare-disability"];
const TOWNS = ["溝口", "久本", "二子", "下作延", "末長", "新作", "梶ケ谷", "久地"];
const MARKS = ["郵便局の前", "ＡＢＣマンション", "小学校の裏", "駅の北口", "コンビニの角", "バス停"];
const ROAD_WORDS = ["路面の穴", "街路灯が消えている", "カーブミラーの向き", "側溝のふた", "歩道の自転車", "街路樹の枝"];
const PARK_WORDS = ["ブランコの鎖", "芝生の草", "ごみ箱があふれている", "水飲み場の水漏れ", "園内灯の故障"];

/** A UUIDv7 for time `ms` (the ids the app makes). */
export function uuidv7(ms) {
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function push(api, mutations) {
  const client_id = randomUUID();
  for (let start = 0; start < mutations.length; start += 500) {
    const res = await api.post("/api/sync/push", { data: { client_id, mutations: mutations.slice(start, start + 500) } });
    if (!res.ok()) throw new Error(`push: ${res.status()} ${await res.text()}`);
    const refused = (await res.json()).outcomes.filter((o) => o.outcome !== "applied");
    if (refused.length > 0) throw new Error(`refused: ${JSON.stringify(refused[0])}`);
  }
}

function created(author, i, now, category, title, description) {
  const at = now - i * 3_600_000 * 3;
  return {
    author,
    type: "create_request",
    request: {
      id: uuidv7(at),
      category,
      title,
      description,
      place: { address: `高津区${TOWNS[i % TOWNS.length]}${(i % 9) + 1}-${(i % 23) + 1}`, landmark: MARKS[i % MARKS.length] },
      urgency: ["low", "medium", "high"][i % 3],
      logged_at: at,
    },
  };
}

/** The office's step on a request it sees at `version`: edits by `author` from that version. */
function step(author, request_id, version, edits) {
  return { author, type: "set_fields", request_id, edits: edits.map(([field, value]) => ({ field, value, base_version: version })) };
}

/**
 * Seeds `count` requests (default 500): road01 logs roads, park01 parks, welfare01 about
 * one in twelve as a welfare consultation. Then the section heads move part of theirs on:
 * a third stays 受付, the rest are routed and assigned to their inspector, some in
 * progress, some answered and resolved, some closed. Welfare consultations are left as
 * the welfare section would find them (受付). Returns { ids: { road, park, welfare } }.
 */
export async function seedWard(url, { count = 500 } = {}) {
  const now = Date.now();
  const road = [];
  const park = [];
  const welfare = [];
  for (let i = 0; i < count; i++) {
    if (i % 12 === 5) {
      welfare.push(created("welfare01", i, now, WELFARE[i % WELFARE.length], `相談 ${i}`, `ご家族からの相談（${i}）`));
    } else if (i % 2 === 0) {
      road.push(created("road01", i, now, ROAD[i % ROAD.length], `${ROAD_WORDS[i % ROAD_WORDS.length]} ${i}`, `${TOWNS[(i * 7) % TOWNS.length]}で見つけた（${i}）`));
    } else {
      park.push(created("park01", i, now, PARK[i % PARK.length], `${PARK_WORDS[i % PARK_WORDS.length]} ${i}`, `${TOWNS[(i * 5) % TOWNS.length]}の公園（${i}）`));
    }
  }
  const number = (list, first) => list.map((m, k) => ({ id: first + k + 1, ...m }));
  for (const [who, list] of [["road01", road], ["park01", park], ["welfare01", welfare]]) {
    const api = await wardApi(url, who);
    await push(api, number(list, 0));
    await api.dispose();
  }
  // The office's decisions, from the versions the ward record gave each request.
  for (const [head, inspector, list] of [["head01", "road01", road], ["parkhead01", "park01", park]]) {
    const api = await wardApi(url, head);
    const versions = new Map();
    for (let offset = 0; ; offset += 100) {
      const res = await api.get(`/api/requests?limit=100&offset=${offset}`);
      const body = await res.json();
      const rows = Array.isArray(body) ? body : body.requests;
      if (rows.length === 0) break;
      for (const r of rows) versions.set(r.id, r.version);
    }
    const steps = [];
    list.forEach((m, k) => {
      const id = m.request.id;
      const v = versions.get(id);
      if (v === undefined || k % 3 === 0) return;
      steps.push(step(head, id, v, [["assignee", inspector], ["status", k % 3 === 2 ? "in_progress" : "routed"]]));
      if (k % 6 === 2) {
        steps.push(step(head, id, v, [["response", `${m.request.title}: 現地を確認し、補修しました。`]]));
      }
    });
    await push(api, number(steps, 0));
    // Resolved and closed: from the versions after the steps above.
    const after = new Map();
    for (let offset = 0; ; offset += 100) {
      const res = await api.get(`/api/requests?limit=100&offset=${offset}`);
      const body = await res.json();
      const rows = Array.isArray(body) ? body : body.requests;
      if (rows.length === 0) break;
      for (const r of rows) after.set(r.id, r);
    }
    const finish = [];
    list.forEach((m, k) => {
      const r = after.get(m.request.id);
      if (!r || k % 6 !== 2 || r.status !== "in_progress") return;
      finish.push(step(head, r.id, r.version, [["status", "resolved"]]));
    });
    await push(api, number(finish, steps.length));
    await api.dispose();
  }
  return { ids: { road: road.map((m) => m.request.id), park: park.map((m) => m.request.id), welfare: welfare.map((m) => m.request.id) } };
}

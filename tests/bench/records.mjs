// The generated requests both sides get: the same N records, about 1 KB each as JSON
// (a road inspector's request with a long description, an address and a landmark).
// Deterministic: record(i) is the same in every run.

const CATEGORIES = ["road-pothole", "road-streetlight", "road-sign-mirror", "road-drain", "road-obstruction", "road-tree"];
const WORDS = ["路面の穴", "街路灯が消えている", "カーブミラーの向き", "側溝のふた", "歩道の自転車", "街路樹の枝"];
const TOWNS = ["溝口", "久本", "二子", "下作延", "末長", "新作", "梶ケ谷", "久地"];
const MARKS = ["郵便局の前", "ＡＢＣマンション", "小学校の裏", "駅の北口", "コンビニの角", "バス停"];
// About 700 bytes of UTF-8: what an inspector writes about a place, in several sentences.
const SENTENCES = [
  "朝の巡回で見つけました。",
  "近くの住民の方から、夜になると足元が見えにくく危ないとのお話がありました。",
  "自転車や歩行者の通行が多い時間帯は特に注意が必要です。",
  "写真は後ほど追加します。",
  "前回の補修箇所のすぐ隣で、同じような状態になっています。",
  "雨の日は水がたまり、車道側に避けて歩く人がいます。",
  "小学校の通学路にあたるため、早めの対応をお願いします。",
  "管理者の確認が必要かもしれません。",
];

/** Record `i` (0-based): what a person types into the capture form. */
export function record(i) {
  const text = [];
  for (let k = 0; text.join("").length < 230; k++) text.push(SENTENCES[(i + k * 3) % SENTENCES.length]);
  return {
    category: CATEGORIES[i % CATEGORIES.length],
    title: `${WORDS[i % WORDS.length]} ${i + 1}`,
    description: `${TOWNS[(i * 7) % TOWNS.length]}地区（${i + 1}）：${text.join("")}`,
    address: `川崎市高津区${TOWNS[i % TOWNS.length]}${(i % 9) + 1}丁目${(i % 23) + 1}番${(i % 17) + 1}号`,
    landmark: MARKS[i % MARKS.length],
    urgency: "medium", // the form's default
  };
}

/** Records `from` .. `to` (exclusive). */
export function records(from, to) {
  const out = [];
  for (let i = from; i < to; i++) out.push(record(i));
  return out;
}

/**
 * The record as a document, the shape both sides store: a client-made id, the fields,
 * the place, the time it was logged and who logged it.
 */
export function asDocument(r, id, loggedAt) {
  return {
    _id: id,
    type: "request",
    category: r.category,
    title: r.title,
    description: r.description,
    place: { address: r.address, landmark: r.landmark },
    urgency: r.urgency,
    logged_at: loggedAt,
    author: "road01",
    status: "new",
  };
}

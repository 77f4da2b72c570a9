// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) next to every
// text and wasm file under the folder given (a Trunk build's staging folder: run by
// tools/precache.sh). The ward record serves them to browsers that accept them
// (server/src/routes/files.rs); a copy that would not be smaller is not written.
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const COMPRESSIBLE = /\.(html|js|mjs|css|wasm|json|webmanifest|svg|txt)$/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

const root = process.argv[2];
if (!root) {
  console.error("usage: node tools/compress.mjs <folder>");
  process.exit(2);
}
let raw = 0;
let br = 0;
let count = 0;
for (const path of [...files(root)]) {
  if (!COMPRESSIBLE.test(path)) continue;
  const data = readFileSync(path);
  const brotli = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      [constants.BROTLI_PARAM_MODE]: /\.wasm$/.test(path) ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  const gzip = gzipSync(data, { level: 9 });
  // A stale copy from an earlier build must not outlive its file.
  for (const [ext, bytes] of [[".br", brotli], [".gz", gzip]]) {
    if (bytes.length < data.length) writeFileSync(path + ext, bytes);
    else rmSync(path + ext, { force: true });
  }
  raw += data.length;
  br += Math.min(brotli.length, data.length);
  count += 1;
}
console.log(`compress: ${count} files, ${raw} bytes, ${br} with brotli`);

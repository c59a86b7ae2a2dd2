// Upload client of bench/small_uploads.sh: POSTs every file of a directory
// to /v1/events, `parallel` requests in flight over keep-alive connections
// (one process, so the client costs little CPU next to one curl per upload).
//   node bench/small_uploads_client.mjs PORT DIR PARALLEL
// Prints one JSON line: {"seconds":..,"uploads":..,"accepted":..,"duplicates":..,"rejected":..}.
// Any non-200 reply fails the run (exit 1) with its body.
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const [port, dir, parallelArg] = process.argv.slice(2);
const parallel = Number(parallelArg ?? 8);
const bodies = readdirSync(dir).sort().map((f) => readFileSync(path.join(dir, f)));
const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });

function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1", port: Number(port), path: "/v1/events", method: "POST", agent,
        headers: { "Content-Type": "application/x-ndjson", "Content-Length": body.length },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text));
        });
      });
    req.on("error", reject);
    req.end(body);
  });
}

const totals = { uploads: 0, accepted: 0, duplicates: 0, rejected: 0 };
let next = 0;
async function worker() {
  while (next < bodies.length) {
    const reply = await post(bodies[next++]);
    totals.uploads++;
    totals.accepted += reply.accepted;
    totals.duplicates += reply.duplicates;
    totals.rejected += reply.rejected_count;
  }
}

const start = process.hrtime.bigint();
try {
  await Promise.all(Array.from({ length: parallel }, worker));
} catch (e) {
  console.error(`small_uploads_client: ${e.message}`);
  process.exit(1);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
agent.destroy();
console.log(JSON.stringify({ seconds, ...totals }));

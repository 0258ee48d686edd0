// `npm run check:api`: runs the `gen:api` script exactly as package.json has it, with the
// output sent to a temporary file, and fails (printing the diff) when the committed
// src/api/schema.gen.ts differs. So CI notices a docs/openapi.json that changed without
// `npm run gen:api` (or `make api`) being run after it.
import { execSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const COMMITTED = "src/api/schema.gen.ts";

const script = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts["gen:api"];
if (!script?.includes(` ${COMMITTED}`)) {
  console.error(`check:api: the gen:api script must write ${COMMITTED}; it is: ${script}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "check-api-"));
const fresh = join(dir, "schema.gen.ts");
try {
  execSync(script.replace(` ${COMMITTED}`, ` ${fresh}`), {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PATH: `${join(ROOT, "node_modules", ".bin")}${delimiter}${process.env.PATH}` },
  });
  if (!existsSync(join(ROOT, COMMITTED))) {
    console.error(`${COMMITTED} is missing: run \`npm run gen:api\` (or \`make api\` at the root) and commit it.`);
    process.exitCode = 1;
  } else if (readFileSync(join(ROOT, COMMITTED), "utf8") === readFileSync(fresh, "utf8")) {
    console.log(`${COMMITTED} matches ../docs/openapi.json`);
  } else {
    const diff = spawnSync("diff", ["-u", "--label", `${COMMITTED} (committed)`, "--label", `${COMMITTED} (from ../docs/openapi.json)`, join(ROOT, COMMITTED), fresh], { encoding: "utf8" });
    console.log(diff.stdout || "(no diff program: the files differ)");
    console.error(`${COMMITTED} is out of date: run \`npm run gen:api\` (or \`make api\` at the root) and commit it.`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

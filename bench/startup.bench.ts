import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { COMMANDS } from "../src/cli/commands/index.js";
import type { Figure } from "./figure.js";

const REPO = fileURLToPath(new URL("../", import.meta.url));
/** Inside the repository, so the compiled CLI finds node_modules as the installed one does. */
const OUT = join(REPO, ".bench", "startup");
const RUNS = 7;

/** src/ compiled file by file (not bundled), as `tsc` lays out dist/ for the published package. */
async function compile(): Promise<string> {
  rmSync(OUT, { recursive: true, force: true });
  const sources = readdirSync(join(REPO, "src"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(REPO, "src", f));
  await build({
    entryPoints: sources,
    outdir: join(OUT, "dist"),
    format: "esm",
    platform: "node",
    logLevel: "silent",
  });
  mkdirSync(OUT, { recursive: true });
  copyFileSync(join(REPO, "package.json"), join(OUT, "package.json"));
  return join(OUT, "dist", "cli", "main.js");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
}

// Each child reports the CPU time it used (user + system) on exit: unlike wall time, it hardly moves
// when other processes load the machine.
const REPORT_CPU =
  "data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\ncpu '+(u.user+u.system)/1000)})";

/** Median wall and CPU time of `node <args>`, in milliseconds. */
function timeNode(name: string, args: readonly string[]): Figure[] {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ["--import", REPORT_CPU, ...args], {
      cwd: OUT,
      encoding: "utf8",
    });
    wall.push(performance.now() - started);
    cpu.push(Number(/\ncpu ([\d.]+)$/.exec(run.stderr)?.[1] ?? Number.NaN));
  }
  return [
    { name, value: median(wall), unit: "ms" },
    { name: `${name}_cpu`, value: median(cpu), unit: "ms" },
  ];
}

/**
 * How long `backflow` takes to start: Node alone, then `--version`, `--help`, an argument error and
 * each command's `--help` (none loads a command's modules), and the time each command's modules take
 * to load when it runs. Measured on src/ compiled file by file, as the published package runs.
 */
export async function startupBench(): Promise<Figure[]> {
  const main = await compile();
  try {
    const figures: Figure[] = [
      ...timeNode("cli_startup_node_alone", ["-e", ""]),
      ...timeNode("cli_startup_version", [main, "--version"]),
      ...timeNode("cli_startup_help", [main, "--help"]),
      ...timeNode("cli_startup_argument_error", [main, "impact", "--no-such-option"]),
    ];
    for (const command of COMMANDS)
      figures.push(...timeNode(`cli_startup_${command.name}_help`, [main, command.name, "--help"]));
    const entries = pathToFileURL(join(OUT, "dist", "cli", "commands", "index.js")).href;
    for (const command of COMMANDS) {
      // The extra time `backflow <command>` spends loading its implementation before it does any work.
      const load = `const { COMMANDS } = await import(${JSON.stringify(entries)}); const c = COMMANDS.find((x) => x.name === ${JSON.stringify(command.name)}); const t = performance.now(); await c.load(); process.stdout.write(String(performance.now() - t));`;
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const out = spawnSync(process.execPath, ["--input-type=module", "-e", load], {
          cwd: OUT,
          encoding: "utf8",
        });
        times.push(Number(out.stdout));
      }
      figures.push({ name: `cli_load_${command.name}`, value: median(times), unit: "ms" });
    }
    return figures;
  } finally {
    rmSync(OUT, { recursive: true, force: true });
  }
}

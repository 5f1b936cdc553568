import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../core/config/parse-config.js";
import { CONFIG_PATH } from "../../core/config/schema.js";
import { ConfigError } from "../../core/errors.js";
import { type CliCommand, EXIT } from "../command.js";
import { exampleRepoDir } from "../example-repo.js";

export const demoCommand: CliCommand = {
  name: "demo",
  summary: "Run Backflow on the bundled example pipeline repository (no GitHub needed)",
  usage: "backflow demo [--repo dir]",
  options: { repo: { type: "string" } },
  async run({ values }, io) {
    const repo = typeof values.repo === "string" ? values.repo : exampleRepoDir();
    io.out(`Backflow demo on ${repo}\n`);
    io.out(`\n== 1. Repository config (${CONFIG_PATH})\n`);
    try {
      const config = parseConfig(readFileSync(join(repo, CONFIG_PATH), "utf8"));
      io.out(`valid: dialect ${config.dialect}, models ${config.models.paths.join(", ")}\n`);
      io.out(
        `contracts ${config.contracts.paths.join(", ")}; ${Object.keys(config.owners).length} owner rule(s)\n`,
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.err(`${error.message}\n`);
      return EXIT.findings;
    }
    return EXIT.ok;
  },
};

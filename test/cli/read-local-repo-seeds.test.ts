/** The CLI's checkout reader keeps only the header record of CSVs (dbt seeds), whatever their size. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CSV_HEADER_BYTES, MAX_FILE_BYTES, readLocalRepo } from "../../src/cli/read-local-repo.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function checkout(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "bf-seeds-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("readLocalRepo and CSVs", () => {
  it("reads a seed's header record only, even past the 2 MiB file cap, quoted line breaks included", () => {
    const big = `id,"a\r\nb"\r\n${"1,2\n".repeat(MAX_FILE_BYTES / 4 + 10)}`;
    const root = checkout({
      "seeds/big.csv": big,
      "seeds/small.csv": "x,y\n1,2\n",
      "models/m.sql": "select 1",
    });
    const warnings: string[] = [];
    const files = readLocalRepo(root, { warn: (m) => warnings.push(m) });
    expect(files.get("seeds/big.csv")).toBe('id,"a\r\nb"');
    expect(files.get("seeds/small.csv")).toBe("x,y");
    expect(files.get("models/m.sql")).toBe("select 1");
    expect(warnings).toEqual([]);
  });

  it("leaves out a CSV whose header is longer than the header cap, with a warning", () => {
    const root = checkout({ "seeds/wide.csv": `${"c,".repeat(CSV_HEADER_BYTES)}\n` });
    const warnings: string[] = [];
    const files = readLocalRepo(root, { warn: (m) => warnings.push(m) });
    expect(files.has("seeds/wide.csv")).toBe(false);
    expect(warnings).toEqual(["skipped seeds/wide.csv: its header is longer than 64 KiB"]);
  });

  it("reads CSVs whole when the caller chooses the files", () => {
    const root = checkout({ "data/t.csv": "a,b\n1,2\n" });
    expect(readLocalRepo(root, { accept: () => true }).get("data/t.csv")).toBe("a,b\n1,2\n");
  });
});

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { Figure } from "./figure.js";

const DAY_MS = 86_400_000;
const SIGNALS = 200_000;
const FINGERPRINTS = 2_000;

/**
 * A store holding SIGNALS processed signals spread evenly over 180 days across FINGERPRINTS findings
 * (one signal a delivery, with a 1 KB raw body), then one prune with a 90-day window: how long it
 * takes and how much it removes. Rows are written with SQL in one transaction to keep setup short.
 */
export async function retentionBench(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "backflow-retention-"));
  try {
    const store = openSqliteStore(join(dir, "bench.db"));
    const now = Date.UTC(2026, 10, 25);
    const body = "x".repeat(1024);
    const delivery = store.db.prepare(
      `INSERT INTO signal_deliveries (source, delivery_id, repo, format, signal_count, job_id, state, received_at, processed_at, raw_body)
       VALUES ('bench', ?, 'acme/shop', 'backflow', 1, 'job', 'processed', ?, ?, ?)`,
    );
    const signal = store.db.prepare(
      `INSERT INTO signals (source, signal_id, delivery_id, repo, dataset, column_name, metric, value, signal_type, status, severity, observed_at, received_at, fingerprint, state, payload)
       VALUES ('bench', ?, ?, 'acme/shop', 'orders', '', 'completeness', 0.9, 'metric_breach', 'firing', 'error', ?, ?, ?, 'processed', '{}')`,
    );
    store.db.transaction(() => {
      for (let i = 0; i < SIGNALS; i++) {
        const at = now - Math.floor((i / SIGNALS) * 180 * DAY_MS);
        delivery.run(`d${i}`, at, at, body);
        signal.run(`s${i}`, `d${i}`, at, at, `fp${i % FINGERPRINTS}`);
      }
    })();
    const sizeBefore = statSync(join(dir, "bench.db")).size;
    const started = performance.now();
    const counts = await store.retention.prune({ before: new Date(now - 90 * DAY_MS), now: new Date(now) });
    const ms = performance.now() - started;
    await store.close();
    return [
      { name: "retention.prune_200k_signals_90d", value: Math.round(ms), unit: "ms" },
      { name: "retention.signals_removed", value: counts.signals, unit: "rows" },
      { name: "retention.deliveries_removed", value: counts.deliveries, unit: "rows" },
      { name: "retention.db_size_before", value: Math.round(sizeBefore / 1e6), unit: "MB" },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

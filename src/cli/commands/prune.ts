import { openStore } from "../../store/open-store.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";

/** `backflow prune`: what the daily prune job does, now, with the window given. */
export async function runPrune({ values }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const days = Number(values.days ?? 90);
  if (!Number.isInteger(days) || days < 1)
    throw new UsageError("--days must be a whole number of days, 1 or more");
  const store = await openStore(typeof values.database === "string" ? values.database : io.env.DATABASE_URL);
  try {
    const now = new Date();
    const counts = await store.retention.prune({
      before: new Date(now.getTime() - days * 86_400_000),
      now,
    });
    io.out(
      `removed ${counts.signals} signals, ${counts.deliveries} deliveries, ${counts.jobs} finished jobs, ${counts.evaluations} history points, ${counts.parseCache} unused parse cache entries, ${counts.repoState} records of finished work and ${counts.canaries} ended canaries older than ${days} days, and ${counts.leases} expired leases\n`,
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

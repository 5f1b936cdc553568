/** Counts the GitHub requests of one run, for the log line that reports them. */
export type ApiCounter = { calls: number };

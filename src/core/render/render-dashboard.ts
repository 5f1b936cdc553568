import { codeSpan, escapeMarkdown } from "./escape-markdown.js";
import { andMore, capInline, capList, fitSections } from "./fit-to-limit.js";
import { renderTable } from "./markdown-table.js";

export const DASHBOARD_MARKER = "<!-- backflow:dashboard -->";
export const DASHBOARD_TITLE = "Backflow feedback dashboard";

/** What the dashboard shows; every string that came from outside is escaped when rendered. */
export type DashboardData = {
  readonly findings: ReadonlyArray<{
    readonly fingerprint: string;
    readonly title: string;
    readonly severity: string;
    readonly issueNumber: number | null;
    readonly openedAt: string | null;
    readonly snoozedUntil: string | null;
  }>;
  readonly proposals: ReadonlyArray<{
    readonly number: number;
    readonly title: string;
    readonly createdAt: string;
  }>;
  readonly expectations: ReadonlyArray<{
    readonly pr: number;
    readonly text: string;
    readonly mode: string;
    readonly duration: string;
    readonly mergedAt: string;
    /** Absent means watching; settled ones are listed for a week after their verdict. */
    readonly state?: "watching" | "met" | "violated" | "inconclusive";
    readonly settledAt?: string;
    /** The revert pull request a violation opened. */
    readonly revertPr?: number | null;
  }>;
  readonly annotations: ReadonlyArray<{
    readonly dataset: string;
    readonly kind: string;
    readonly from?: string;
    readonly to?: string;
    readonly note: string;
    readonly author: string;
  }>;
  /** Absent when the contracts could not be read (e.g. the config is invalid). */
  readonly contracts?: ReadonlyArray<{
    readonly id: string;
    readonly version?: string;
    readonly owners: readonly string[];
    readonly datasets: readonly string[];
  }>;
  readonly signals: ReadonlyArray<{
    readonly source: string;
    readonly signals: number;
    readonly deliveries: number;
  }>;
  /** Why Backflow could not pin this dashboard issue, when it tried and GitHub refused. */
  readonly notPinned?: string;
  /** The latest recurring review issue (config `review`), when one was published. */
  readonly latestReview?: { readonly number: number; readonly key: string };
};

export type DashboardAction =
  | { readonly action: "rerun-triage"; readonly fingerprint: string }
  | { readonly action: "propose"; readonly fingerprint: string }
  | { readonly action: "refresh" };

const SEVERITY_RANK: Readonly<Record<string, number>> = { error: 0, warning: 1, info: 2 };
const MAX_ROWS = 50;
const DAY_MS = 86_400_000;

/** A coarse age ("today", "3d"), so the body only changes once a day for the same data. */
export function ageOf(since: string | null, now: Date): string {
  if (!since) return "—";
  const days = Math.floor((now.getTime() - Date.parse(since)) / DAY_MS);
  return days <= 0 ? "today" : `${days}d`;
}

const day = (iso: string | undefined, open: string) => (iso ? iso.slice(0, 10) : open);

function findingsSection(data: DashboardData, now: Date): string {
  const sorted = [...data.findings].sort(
    (a, b) =>
      (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3) ||
      (a.openedAt ?? "").localeCompare(b.openedAt ?? ""),
  );
  const rows = sorted.slice(0, MAX_ROWS).map((f) => [
    { md: `**${escapeMarkdown(f.severity)}**` },
    f.title,
    { md: f.issueNumber === null ? "—" : `#${f.issueNumber}` },
    { md: ageOf(f.openedAt, now) },
    {
      md:
        f.snoozedUntil && Date.parse(f.snoozedUntil) > now.getTime()
          ? `until ${f.snoozedUntil.slice(0, 10)}`
          : "",
    },
  ]);
  const more = sorted.length > MAX_ROWS ? `\n\n${andMore(sorted.length - MAX_ROWS, "finding")}` : "";
  return `### Open findings (${sorted.length})\n\n${renderTable(["severity", "finding", "issue", "age", "snoozed"], rows, "_No open findings._")}${more}`;
}

function listSection<T>(
  title: string,
  items: readonly T[],
  empty: string,
  line: (item: T) => string,
): string {
  const lines = items.length === 0 ? [empty] : capList(items, MAX_ROWS, line);
  return `### ${title} (${items.length})\n\n${lines.join("\n")}`;
}

const VERDICT_ICON: Readonly<Record<string, string>> = { met: "✅", violated: "❌", inconclusive: "❔" };

/** Watched expectations, then those settled in the last week with their verdict and revert. */
function expectationsSection(data: DashboardData): string {
  const watching = data.expectations.filter((e) => (e.state ?? "watching") === "watching");
  const settled = data.expectations.filter((e) => (e.state ?? "watching") !== "watching");
  const section = listSection(
    "Expectations under watch",
    watching,
    "_None._",
    (e) =>
      `- #${e.pr}: ${codeSpan(e.text)} — ${e.mode} ${escapeMarkdown(e.duration)} of the merge on ${e.mergedAt.slice(0, 10)}`,
  );
  if (settled.length === 0) return section;
  const lines = capList(settled, MAX_ROWS, (e) => {
    const state = e.state ?? "watching";
    const revert = e.revertPr ? ` — revert #${e.revertPr}` : "";
    const when = e.settledAt ? ` (${e.settledAt.slice(0, 10)})` : "";
    return `- ${VERDICT_ICON[state] ?? ""} ${state}: #${e.pr} ${codeSpan(e.text)}${revert}${when}`;
  });
  return `${section}\n\nSettled in the last 7 days (${settled.length}):\n\n${lines.join("\n")}`;
}

function contractsSection(data: DashboardData): string {
  if (!data.contracts)
    return "### Contracts\n\n_Could not be read from the default branch (is `.github/backflow.yml` valid?)._";
  const rows = data.contracts.slice(0, MAX_ROWS).map((c) => [
    { md: codeSpan(c.id) },
    c.version ?? "—",
    { md: capInline(c.datasets, 5, (d) => codeSpan(d)) || "—" },
    // One owner list per contract, as the check run shows it; code spans neither notify nor break a copy.
    { md: c.owners.map((o) => codeSpan(o)).join(", ") || "—" },
  ]);
  return `### Contracts (${data.contracts.length})\n\n${renderTable(["contract", "version", "datasets", "owners"], rows, "_No contracts found._")}`;
}

function signalsSection(data: DashboardData): string {
  const rows = [...data.signals]
    .sort((a, b) => b.signals - a.signals)
    .map((s) => [s.source, s.signals, s.deliveries]);
  return `### Signals in the last 7 days\n\n${renderTable(["source", "signals", "deliveries"], rows, "_No signals received._")}`;
}

function introSection(data: DashboardData): string {
  const intro = `${DASHBOARD_MARKER}\nWhat Backflow is watching in this repository. This issue is kept up to date by Backflow; edits other than ticking boxes are overwritten.`;
  // The key is Backflow's own period key (`2026-03`, `2026-W09`, `2026-Q1`); anything else is left out.
  const key =
    data.latestReview && /^[\w-]+$/.test(data.latestReview.key) ? ` (${data.latestReview.key})` : "";
  const review = data.latestReview ? `\n\n**Latest review:** #${data.latestReview.number}${key}` : "";
  if (data.notPinned === undefined) return `${intro}${review}`;
  return `${intro}${review}\n\n**Not pinned:** ${escapeMarkdown(data.notPinned)} — pin it from the issue's sidebar.`;
}

/** A finding as the actions name it: its issue number when it has one (the title is in the table above). */
const findingRef = (f: DashboardData["findings"][number]) =>
  f.issueNumber !== null ? `#${f.issueNumber}` : escapeMarkdown(f.title);

function actionsSection(data: DashboardData): string {
  const findings = data.findings.slice(0, 20);
  const rerun = findings.map(
    (f) => `- [ ] <!-- backflow:action rerun-triage ${f.fingerprint} --> Re-run triage for ${findingRef(f)}`,
  );
  // A proposal links back to its drift issue, so only findings with one are offered.
  const propose = findings
    .filter((f) => f.issueNumber !== null)
    .map((f) => `- [ ] <!-- backflow:action propose ${f.fingerprint} --> Propose a fix for ${findingRef(f)}`);
  return [
    "### Actions",
    "",
    "Tick a box: Backflow runs the action and clears the box.",
    "",
    "- [ ] <!-- backflow:action refresh --> Refresh this dashboard now",
    ...rerun,
    ...propose,
  ].join("\n");
}

/**
 * The body of the repository's feedback dashboard issue. It holds no clock reading beyond coarse
 * ages, so rendering unchanged data gives the same text and the writer can skip the update.
 */
export function renderDashboard(data: DashboardData, now: Date): { title: string; body: string } {
  const sections = [
    { text: introSection(data), keep: true },
    { text: findingsSection(data, now) },
    {
      text: listSection(
        "Proposals awaiting review",
        data.proposals,
        "_None._",
        (p) => `- #${p.number} ${escapeMarkdown(p.title)} (${ageOf(p.createdAt, now)})`,
      ),
    },
    { text: expectationsSection(data) },
    {
      text: listSection(
        "Active annotations",
        data.annotations,
        "_None._",
        (a) =>
          `- ${codeSpan(a.dataset)} **${escapeMarkdown(a.kind)}** ${day(a.from, "always")} → ${day(a.to, "open-ended")}: ${escapeMarkdown(a.note)} (${escapeMarkdown(a.author)})`,
      ),
    },
    { text: contractsSection(data) },
    { text: signalsSection(data) },
    { text: actionsSection(data), keep: true },
  ];
  return { title: DASHBOARD_TITLE, body: fitSections(sections) };
}

const ACTION_LINE =
  /^(\s*[-*] \[)([xX])(\] <!-- backflow:action ((?:rerun-triage|propose) [0-9a-f]{6,64}|refresh) -->.*)$/;

/** The actions whose boxes are ticked in a dashboard body, and the body with those boxes cleared. */
export function takeCheckedActions(body: string): { actions: DashboardAction[]; cleared: string } {
  const actions: DashboardAction[] = [];
  const cleared = body
    .split("\n")
    .map((line) => {
      const m = ACTION_LINE.exec(line.replace(/\r$/, ""));
      if (!m) return line;
      const [name, arg] = (m[4] as string).split(" ");
      const fingerprint = arg as string;
      actions.push(
        name === "refresh"
          ? { action: "refresh" }
          : name === "propose"
            ? { action: "propose", fingerprint }
            : { action: "rerun-triage", fingerprint },
      );
      return `${m[1]} ${m[3]}`;
    })
    .join("\n");
  return { actions, cleared };
}

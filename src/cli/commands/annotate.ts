import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseDocument, YAMLSeq } from "yaml";
import { z } from "zod";
import { parseCommandArgs } from "../../core/commands/parse-command-args.js";
import { type Annotation, AnnotationSchema } from "../../core/triage/annotations.js";
import { type CliIO, type CommandArgs, EXIT, type ExitCode, UsageError } from "../command.js";

/** Where `backflow annotate` keeps annotations for local triage, relative to the repository. */
export const LOCAL_ANNOTATIONS_PATH = ".backflow/annotations.yml";

const FileSchema = z.strictObject({ annotations: z.array(AnnotationSchema).default([]) });

/** The repository name local annotations are recorded under (`backflow triage` judges signals as `local/<dir>`). */
export function localRepoName(repoDir: string): string {
  return `local/${basename(resolve(repoDir))}`.toLowerCase();
}

/** The annotations of a local annotations file; none when it does not exist. Throws UsageError when it is invalid. */
export function readLocalAnnotations(path: string): Annotation[] {
  if (!existsSync(path)) return [];
  const parsed = FileSchema.safeParse(
    parseDocument(readFileSync(path, "utf8")).toJS({ maxAliasCount: 0 }) ?? {},
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path} is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return parsed.data.annotations;
}

/** Appends `annotation` to the file, keeping what is there (comments included); false when its id exists. */
export function appendLocalAnnotation(path: string, annotation: Annotation): boolean {
  if (readLocalAnnotations(path).some((a) => a.id === annotation.id)) return false;
  const doc = parseDocument(existsSync(path) ? readFileSync(path, "utf8") : "annotations: []\n");
  const list = doc.get("annotations");
  if (list instanceof YAMLSeq) {
    list.flow = false;
    list.add(doc.createNode(annotation));
  } else doc.set("annotations", doc.createNode([annotation]));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, doc.toString());
  return true;
}

/** `backflow annotate`: appends one annotation to the local annotations file. */
export async function runAnnotate({ values, positionals }: CommandArgs, io: CliIO): Promise<ExitCode> {
  const parsed = parseCommandArgs("annotate", positionals);
  if (!parsed.ok || parsed.command.command !== "annotate") {
    throw new UsageError(`${parsed.ok ? "not an annotation" : parsed.error.replace(/`/g, "")}`);
  }
  const root = resolve(io.cwd, typeof values.dir === "string" ? values.dir : ".");
  // --file, like every path argument, is relative to the working directory; the default lives in --dir.
  const file =
    typeof values.file === "string" ? resolve(io.cwd, values.file) : resolve(root, LOCAL_ANNOTATIONS_PATH);
  const now = new Date();
  const { args } = parsed.command;
  const annotation = AnnotationSchema.parse({
    id: `cli-${now.getTime().toString(36)}`,
    repo: localRepoName(root),
    dataset: args.dataset,
    kind: args.kind,
    ...(args.from ? { from: args.from } : {}),
    ...(args.to ? { to: args.to } : {}),
    note: args.note,
    author: typeof values.author === "string" ? values.author : (io.env.USER ?? "cli"),
    createdAt: now.toISOString(),
  });
  appendLocalAnnotation(file, annotation);
  io.out(
    `annotated ${args.dataset} (${args.kind}) ${args.from ?? "…"} → ${args.to ?? "…"} in ${join(file)}\n`,
  );
  return EXIT.ok;
}

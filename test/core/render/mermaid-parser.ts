import { Window } from "happy-dom";

type MermaidApi = {
  initialize(config: { startOnLoad: boolean }): void;
  parse(text: string): Promise<{ diagramType: string }>;
};

let loaded: Promise<MermaidApi> | undefined;

/**
 * The real Mermaid 11 parser in Node: its DOMPurify needs a `window`, which happy-dom provides.
 * Loaded once per test file.
 */
function mermaid(): Promise<MermaidApi> {
  loaded ??= (async () => {
    const win = new Window();
    Object.assign(globalThis, { window: win, document: win.document });
    const mod = (await import("mermaid")) as unknown as { default: MermaidApi };
    mod.default.initialize({ startOnLoad: false });
    return mod.default;
  })();
  return loaded;
}

/** The diagram type Mermaid parsed, or the parse error's message. */
export async function parseMermaid(
  text: string,
): Promise<{ ok: true; type: string } | { ok: false; error: string }> {
  const api = await mermaid();
  try {
    const result = await api.parse(text);
    return { ok: true, type: result.diagramType };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Every ```mermaid block of a markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^(`{3,})mermaid\n([\s\S]*?)\n\1$/gm)].map((m) => m[2] as string);
}

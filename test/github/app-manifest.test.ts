import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PULL_REQUEST_EVENTS } from "../../src/github/handlers/pull-request.js";

type Manifest = {
  name: string;
  url: string;
  public: boolean;
  hook_attributes: { url: string };
  default_permissions: Record<string, string>;
  default_events: string[];
};

const manifest = parse(readFileSync("app.yml", "utf8")) as Manifest;

describe("app.yml", () => {
  it("asks for exactly the least permissions Backflow works with", () => {
    expect(manifest.default_permissions).toEqual({
      checks: "write",
      contents: "write",
      pull_requests: "write",
      issues: "write",
      metadata: "read",
    });
  });

  it("subscribes to every event the app handles, and never to the always-delivered installation events", () => {
    const handled = new Set([...PULL_REQUEST_EVENTS.map((e) => e.split(".")[0]), "push"]);

    for (const event of handled) expect(manifest.default_events).toContain(event);
    expect(manifest.default_events).not.toContain("installation");
    expect(manifest.default_events).not.toContain("installation_repositories");
  });

  it("is a private app whose webhook points at Probot's webhook path", () => {
    expect(manifest.public).toBe(false);
    expect(manifest.name).toBe("Backflow");
    expect(new URL(manifest.hook_attributes.url).pathname).toBe("/api/github/webhooks");
  });
});

import type { BackflowConfig, Permission } from "../config/schema.js";
import type { CommandName } from "./command-schema.js";

/** GitHub's repository roles, weakest first. */
export const PERMISSION_ORDER: readonly Permission[] = ["read", "triage", "write", "maintain", "admin"];

export type CommandPermission =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly needs: Permission };

/**
 * The permission GitHub reports for a collaborator, from the role name when it is one of the five
 * repository roles, else from the legacy `permission` field (which says `none` for no access).
 * Custom roles are read through their base permission. Returns null for no access.
 */
export function effectivePermission(input: {
  roleName?: string | null;
  permission?: string | null;
}): Permission | null {
  for (const value of [input.roleName, input.permission]) {
    const lower = value?.toLowerCase();
    if (lower && (PERMISSION_ORDER as readonly string[]).includes(lower)) return lower as Permission;
    if (lower === "pull") return "read";
    if (lower === "push") return "write";
  }
  return null;
}

/** Whether `held` is at least `needed` in GitHub's order read < triage < write < maintain < admin. */
export function atLeast(held: Permission | null, needed: Permission): boolean {
  return held !== null && PERMISSION_ORDER.indexOf(held) >= PERMISSION_ORDER.indexOf(needed);
}

/**
 * Whether a user may run `command`: `help` is for everyone; commands in `commands.openToCommenters`
 * are for anyone who could post the comment; the rest need their level in `commands.permissions`,
 * else `commands.permission` (default write).
 */
export function canRunCommand(input: {
  command: CommandName;
  held: Permission | null;
  config: Pick<BackflowConfig, "commands">;
}): CommandPermission {
  const { command, held, config } = input;
  if (command === "help") return { allowed: true };
  if ((config.commands.openToCommenters as readonly string[]).includes(command)) return { allowed: true };
  const needs = config.commands.permissions[command] ?? config.commands.permission;
  return atLeast(held, needs) ? { allowed: true } : { allowed: false, needs };
}

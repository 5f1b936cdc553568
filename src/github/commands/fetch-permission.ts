import type { ProbotOctokit } from "probot";
import { effectivePermission } from "../../core/commands/can-run-command.js";
import type { Permission } from "../../core/config/schema.js";
import { isNotFound } from "../request-errors.js";

/**
 * The repository permission GitHub gives `username` (role name first, so triage and maintain are
 * told apart), or null when they have none or are not a user GitHub knows.
 */
export async function fetchPermission(input: {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  username: string;
}): Promise<Permission | null> {
  try {
    const { data } = await input.octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: input.owner,
      repo: input.repo,
      username: input.username,
    });
    return effectivePermission({ roleName: data.role_name, permission: data.permission });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

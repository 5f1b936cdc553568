import { z } from "zod";
import { ConfigSchema } from "./schema.js";

/**
 * `.github/backflow.yml` as a user writes it: the configuration plus `_extends`, which the loader
 * takes out before validating the merged result (see `resolveConfigChain`). Published as
 * contracts/config.schema.json so editors accept `_extends`.
 */
export const ConfigFileSchema = ConfigSchema.extend({
  _extends: z
    .string()
    .min(1)
    .optional()
    .describe(
      "A configuration this file builds on, as Probot's `_extends`: `repo` (same owner), `owner/repo` or `owner/repo:path/to/file.yml` (default path `.github/backflow.yml`). Its keys apply where this file sets nothing; mappings merge key by key, lists add up. Without this file, the owner's `.github` repository's `.github/backflow.yml` applies.",
    ),
}).describe("Backflow repository configuration (.github/backflow.yml).");

import { BackflowError } from "../core/errors.js";

/** The database cannot be used as configured (wrong URL, missing directory, newer schema, …). */
export class StoreError extends BackflowError {
  override readonly name: string = "StoreError";
}

/** The database was written by a newer Backflow; opening it with this code could corrupt it. */
export class SchemaTooNewError extends StoreError {
  override readonly name = "SchemaTooNewError";
  constructor(
    readonly location: string,
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `${location} has schema version ${databaseVersion}, but this Backflow only knows up to version ${knownVersion}. ` +
        "Upgrade Backflow to the version that wrote this database, or point DATABASE_URL at another file.",
    );
  }
}

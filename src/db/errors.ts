/**
 * The store's own errors. src/db never imports the core; src/core/errors.ts lists these codes in
 * its `ErrorCode` registry and re-exports the classes.
 */

export type StoreErrorCode =
  | 'STORE_LOCKED'
  | 'DATA_DIR_PERMISSIONS'
  | 'DB_PARAMETER_TYPE'
  | 'STORED_VALUE_CUT';

/** An error the store raises, with a code and the context needed to act on it. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The data directory is in use by another running process. */
export class StoreLockedError extends StoreError {
  constructor(dataDir: string, pid: number) {
    super(
      'STORE_LOCKED',
      `the data directory ${dataDir} is already in use by process ${pid}; stop that process first, or set DATA_DIR to another directory`,
      { dataDir, pid },
    );
  }
}

/** The embedded store's directory is open to other users; PostgreSQL refuses the same. */
export class DataDirPermissionsError extends StoreError {
  constructor(dataDir: string, mode: number) {
    const octal = mode.toString(8).padStart(4, '0');
    super(
      'DATA_DIR_PERMISSIONS',
      `the data directory ${dataDir} can be read by other users (mode ${octal}); it holds every ticket and the store's secrets. Run: chmod 700 '${dataDir}' (or set DATA_DIR to a private directory)`,
      { dataDir, mode: octal },
    );
  }
}

/**
 * A query parameter's JavaScript type does not fit the column (bytes for a text column, an object
 * for a number): refused rather than stored as its string form. The value is never quoted.
 */
export class ParameterTypeError extends StoreError {
  constructor(position: number, typeId: number, valueKind: string) {
    super(
      'DB_PARAMETER_TYPE',
      `query parameter $${position} is ${valueKind}, which does not fit PostgreSQL type ${typeId}`,
      { position, typeId, valueKind },
    );
  }
}

/** A large value read piece by piece lost pieces meanwhile (erased while being read). */
export class StoredValueCut extends StoreError {
  constructor(owner: string, id: string) {
    super('STORED_VALUE_CUT', `the ${owner} ${id} changed while it was read (erased?)`, { owner, id });
  }
}

import { OcibakeError } from '../errors.js';

/**
 * `SnapshotError` is a failure of the snapshot layer that is not the layer's fault: a helper
 * tool failed (`getfattr`, `setfattr`, `mknod`), a `meta.json` is missing or corrupt, a store
 * directory cannot be written. Unsafe or malformed layers are `UnsafeArchiveError`s instead.
 * Its code is `OCIBAKE_STORE` (snapshots are the executor's store of unpacked layers).
 */
export class SnapshotError extends OcibakeError {}

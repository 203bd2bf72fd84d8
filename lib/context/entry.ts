/**
 * `ContextEntry` is one filesystem object a COPY or ADD puts into a stage or image: where its
 * bytes come from (a host file, or inline content for heredocs) and exactly how it lands
 * (absolute destination, mode, owner). The host-stage executor writes entries into a
 * directory; the image builder feeds the same list to the layer writer.
 */
export interface ContextEntry {
  /** `hardlink` is a second name for a file earlier in the same list (`linkTarget`); `hostPath` holds its bytes too. */
  type: 'file' | 'dir' | 'symlink' | 'hardlink';
  /** Absolute POSIX path in the destination filesystem, normalised, no trailing slash (`/app/main.go`). */
  destPath: string;
  /** For files (and hard links): the host file holding the bytes. */
  hostPath?: string;
  /** For files written from a heredoc: the bytes. */
  content?: Uint8Array;
  /** For symlinks: the link target, verbatim. For hard links: the absolute destination path of the file it names. */
  linkTarget?: string;
  /** Permission bits (`0o755`), including setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** Size in bytes of a file entry (0 for others). */
  size: number;
  /** The source's modification time, for writers that keep it (layer writers clamp it to SOURCE_DATE_EPOCH). */
  mtimeMs?: number;
  /** A parent directory of the destination that the instruction did not name (`mkdir -p` semantics). */
  implicit?: boolean;
}

/**
 * `PathFilter` decides which context paths are hidden (the `.dockerignore` matcher). Paths are
 * relative to the context root, `/`-separated, without a leading `./`.
 */
export interface PathFilter {
  ignores(relPath: string): boolean;
  /**
   * True when some pattern re-includes paths (`!keep.txt`): then an ignored directory must still
   * be walked, because something inside it may be included again.
   */
  hasExceptions?: boolean;
}

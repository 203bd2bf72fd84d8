// Docker's `units.RAMInBytes`, shared by `RUN --mount=type=tmpfs,size=…` and `cache prune --keep-storage`.

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1024 ** 5,
  pb: 1024 ** 5,
  pib: 1024 ** 5,
};

/** `ramInBytes` reads `512`, `64m`, `10GB`, `1.5GiB` (binary multiples, case-insensitive); undefined when it is not a size. */
export function ramInBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text);
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
  return m === null || unit === undefined ? undefined : Math.trunc(Number(m[1]) * unit);
}

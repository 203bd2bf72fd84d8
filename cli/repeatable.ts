/**
 * `repeatable` declares a flag that may be given several times (`-t a -t b`). yargs' `array: true`
 * is greedy: `-t app:1 .` would swallow the build context as a second tag. A plain string
 * option repeated is collected by yargs, and `coerce` makes one occurrence an array too.
 */
export const repeatable = {
  type: 'string',
  default: [] as string[],
  coerce: (v: string | number | (string | number)[] | undefined): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => `${x}`)),
} as const;

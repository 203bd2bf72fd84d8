// BuildKit conformance cases ocibake does not pass, each with the reason. The conformance test fails
// when a case listed here starts passing (remove it) or an unlisted case fails.

/** `KNOWN_FAILURES` maps a case id to why ocibake differs from BuildKit there. */
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

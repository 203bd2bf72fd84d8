import { ContextError } from './errors.js';

/** `Owner` is a numeric uid/gid pair. */
export interface Owner {
  uid: number;
  gid: number;
}

/** `UserDb` resolves names the way the destination image's /etc/passwd and /etc/group do. */
export interface UserDb {
  user(name: string): { uid: number; gid: number } | undefined;
  group(name: string): number | undefined;
}

/** `parseUserDb` reads /etc/passwd and /etc/group text (either may be empty). root is always 0:0. */
export function parseUserDb(passwd: string, group: string): UserDb {
  const users = new Map<string, { uid: number; gid: number }>([['root', { uid: 0, gid: 0 }]]);
  const groups = new Map<string, number>([['root', 0]]);
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 4 && /^\d+$/.test(f[2]!) && /^\d+$/.test(f[3]!)) users.set(f[0]!, { uid: Number(f[2]), gid: Number(f[3]) });
  }
  for (const line of group.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2]!)) groups.set(f[0]!, Number(f[2]));
  }
  return { user: (n) => users.get(n), group: (n) => groups.get(n) };
}

/**
 * `parseChown` reads `--chown=user[:group]` (names or numbers). A user without a group takes the
 * user's primary group (a number alone takes the same number, as Docker does).
 */
export function parseChown(spec: string, db: UserDb): Owner {
  const [u = '', g] = spec.split(':');
  const num = (s: string): number | undefined => (/^\d+$/.test(s) ? Number(s) : undefined);
  let uid = num(u);
  let primary = uid;
  if (uid === undefined) {
    const entry = db.user(u);
    if (!entry)
      throw new ContextError('OCIBAKE_CONTEXT', `--chown=${spec}: unknown user "${u}"`, {
        hint: "use a numeric uid:gid, or a user that exists in the stage's /etc/passwd",
      });
    uid = entry.uid;
    primary = entry.gid;
  }
  if (g === undefined || g === '') return { uid, gid: primary ?? uid };
  const gid = num(g) ?? db.group(g);
  if (gid === undefined)
    throw new ContextError('OCIBAKE_CONTEXT', `--chown=${spec}: unknown group "${g}"`, {
      hint: "use a numeric gid, or a group that exists in the stage's /etc/group",
    });
  return { uid, gid };
}

/** `parseChmod` reads `--chmod=0755` (octal only, as BuildKit's Dockerfile frontend). */
export function parseChmod(spec: string): number {
  if (!/^[0-7]{3,4}$/.test(spec))
    throw new ContextError('OCIBAKE_CONTEXT', `--chmod=${spec} is not an octal mode`, { hint: 'write the mode in octal, e.g. --chmod=0755' });
  return parseInt(spec, 8);
}

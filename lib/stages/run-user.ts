import { OcibakeError } from '../errors.js';

/** `RunUser` is who a RUN runs as: numeric ids, supplementary groups and the home directory. */
export interface RunUser {
  uid: number;
  gid: number;
  groups: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function passwd(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return [];
    return [{ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }];
  });
}

function groups(text: string): { name: string; gid: number; members: string[] }[] {
  return text.split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) return [];
    return [{ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }];
  });
}

/**
 * `resolveRunUser` turns `USER name[:group]` (names or numbers) into ids the way runc does with
 * the stage's own /etc/passwd and /etc/group: a name must exist; a number that is not listed runs
 * with gid 0 and home `/`; without a group, the user's primary group plus every group that lists
 * the user as a member; with a group, that group only.
 *
 *   resolveRunUser('app', passwdText, groupText) // { uid: 10001, gid: 10001, groups: [10001], home: '/home/app' }
 */
export function resolveRunUser(spec: string | undefined, passwdText: string, groupText: string): RunUser {
  if (spec === undefined || spec === '' || spec === 'root' || spec === '0') {
    // Root gets its /etc/group memberships too, as in Docker (`id` in alpine: 0,1,2,3,4,6,10,…).
    const root = passwd(passwdText).find((p) => p.uid === 0);
    const name = root?.name ?? 'root';
    const member = groups(groupText)
      .filter((x) => x.members.includes(name))
      .map((x) => x.gid);
    return { uid: 0, gid: 0, groups: [...new Set([0, ...member])], home: root?.home ?? '/root' };
  }
  const [u = '', g] = spec.split(':');
  const users = passwd(passwdText);
  const byNumber = /^\d+$/.test(u);
  const entry = byNumber ? users.find((p) => p.uid === Number(u)) : users.find((p) => p.name === u);
  if (!entry && !byNumber) {
    throw new OcibakeError('OCIBAKE_EXEC', `USER ${spec}: unable to find user ${u}: no matching entries in the stage's /etc/passwd`, {
      hint: 'create the user in an earlier RUN (adduser, useradd), or use a numeric uid',
    });
  }
  const uid = entry?.uid ?? Number(u);
  const home = entry?.home ?? '/';
  const table = groups(groupText);
  if (g !== undefined && g !== '') {
    const gid = /^\d+$/.test(g) ? Number(g) : table.find((x) => x.name === g)?.gid;
    if (gid === undefined)
      throw new OcibakeError('OCIBAKE_EXEC', `USER ${spec}: unable to find group ${g}: no matching entries in the stage's /etc/group`, {
        hint: 'use a numeric gid, or a group that exists',
      });
    return { uid, gid, groups: [gid], home };
  }
  const gid = entry?.gid ?? 0;
  const member = entry ? table.filter((x) => x.members.includes(entry.name)).map((x) => x.gid) : [];
  return { uid, gid, groups: [...new Set([gid, ...member])], home };
}

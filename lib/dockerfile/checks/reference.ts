// The image-reference grammar of github.com/distribution/reference, for InvalidDefaultArgInFrom.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[_.]|__|[-]+)[a-z0-9]+)*';
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;
const NAME_MAX = 255;

/**
 * `isValidImageReference` tells whether `ref` parses as distribution's `ParseNormalizedNamed`
 * would: `[domain/]path[:tag][@digest]` with a lower-case path (`busybox:` and `Alpine` do not,
 * and neither does an empty string). The first component is a domain when it has a `.` or `:`,
 * is `localhost`, or has upper case.
 *
 *     isValidImageReference('registry.example.com:5000/team/app:1.0') // true
 */
export function isValidImageReference(ref: string): boolean {
  if (ref === '' || IDENTIFIER.test(ref)) return false;
  let rest = ref;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return false;
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const isDomain = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  if (isDomain) {
    if (!DOMAIN.test(first)) return false;
    rest = rest.slice(slash + 1);
  }
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    if (!TAG.test(rest.slice(colon + 1))) return false;
    rest = rest.slice(0, colon);
  }
  return rest.length + (isDomain ? first.length + 1 : 0) <= NAME_MAX && PATH.test(rest);
}

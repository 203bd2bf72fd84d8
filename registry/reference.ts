import { OcibakeError } from '../lib/errors.js';
import { type Digest, isDigest } from '../lib/oci/digest.js';

/** `Reference` names an image: registry host, repository path, and a tag and/or digest. */
export interface Reference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: Digest;
}

/** Docker Hub's canonical name; its API lives at `registry-1.docker.io` (docs/registry-client.md). */
export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

// distribution/reference grammar: path components are lowercase alphanumerics joined by
// one `.`, one or two `_`, or any number of `-`.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$/;

/**
 * `parseReference` parses what people type, with Docker's normalisation:
 * `alpine` → docker.io/library/alpine:latest, `ghcr.io/o/r:tag`, `localhost:5000/r`,
 * `127.0.0.1:5000/a/b/c@sha256:…`, `r:tag@sha256:…` (the digest wins when pulling).
 * A first component is a registry when it has a `.` or `:` or is `localhost` (distribution's rule).
 * `defaultTag` is added only when there is neither tag nor digest (null: add none).
 */
export function parseReference(text: string, defaultTag: string | null = 'latest'): Reference {
  const input = text.trim();
  if (input === '' || input.length > 512 || /\s/.test(input)) throw invalid(text, 'it is empty or contains whitespace');
  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw invalid(text, `"${d.slice(0, 80)}" is not a sha256 digest`);
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(text, `"${tag}" is not a valid tag`);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  let registry: string;
  let repository: string;
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    if (!HOST.test(first)) throw invalid(text, `"${first}" is not a valid registry host`);
    registry = first.toLowerCase();
    repository = rest.slice(slash + 1);
  } else {
    registry = DOCKER_HUB;
    repository = rest;
  }
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = DOCKER_HUB;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (repository === '' || repository.split('/').some((c) => !COMPONENT.test(c))) {
    const why = /[A-Z]/.test(repository) ? 'repository names must be lowercase' : `"${repository}" is not a valid repository path`;
    throw invalid(text, why);
  }
  if (registry.length + repository.length + 1 > 255) throw invalid(text, 'the name is longer than 255 characters');
  const ref: Reference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined && defaultTag !== null) ref.tag = defaultTag;
  return ref;
}

/** `formatReference` prints the canonical form, `registry/repository[:tag][@digest]`. */
export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** `referenceName` is what a registry resolves: the digest when there is one, else the tag. */
export function referenceName(ref: Reference): string {
  const name = ref.digest ?? ref.tag;
  if (name === undefined) throw invalid(formatReference(ref), 'it has neither a tag nor a digest');
  return name;
}

/** `apiHost` maps a registry name to the host its HTTP API is served from. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** `isLoopbackRegistry` tells registries that default to plain HTTP, as Docker treats them. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function invalid(text: string, why: string): OcibakeError {
  return new OcibakeError('OCIBAKE_INVALID_REFERENCE', `invalid image reference ${JSON.stringify(text.slice(0, 200))}: ${why}`, {
    hint: 'use [registry/]repository[:tag][@sha256:digest], e.g. alpine:3.20, ghcr.io/org/app:1.0, localhost:5000/app',
  });
}

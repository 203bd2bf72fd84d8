/**
 * The build-check rules, as BuildKit's linter defines them (frontend/dockerfile/linter/ruleset.go):
 * the name `# check=skip=` refers to, a one-line description, the documentation URL and whether the
 * rule only runs when enabled as experimental. The message texts are in `messages.ts`.
 */

/** `RuleName` is the name of a build check. */
export type RuleName =
  | 'StageNameCasing'
  | 'FromAsCasing'
  | 'NoEmptyContinuation'
  | 'ConsistentInstructionCasing'
  | 'DuplicateStageName'
  | 'ReservedStageName'
  | 'JSONArgsRecommended'
  | 'MaintainerDeprecated'
  | 'UndefinedArgInFrom'
  | 'WorkdirRelativePath'
  | 'UndefinedVar'
  | 'MultipleInstructionsDisallowed'
  | 'LegacyKeyValueFormat'
  | 'RedundantTargetPlatform'
  | 'SecretsUsedInArgOrEnv'
  | 'InvalidDefaultArgInFrom'
  | 'FromPlatformFlagConstDisallowed'
  | 'CopyIgnoredFile';

/** `Rule` describes one build check. */
export interface Rule {
  name: RuleName;
  description: string;
  url: string;
  /** Experimental rules run only when `# check=experimental=<name>` (or `all`) enables them. */
  experimental: boolean;
}

const DOCS = 'https://docs.docker.com/go/dockerfile/rule/';

function rule(name: RuleName, description: string, experimental = false): Rule {
  const kebab = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
  return { name, description, url: `${DOCS}${kebab}/`, experimental };
}

/** `RULES` is every build check ocibake runs, by name. */
export const RULES: Readonly<Record<RuleName, Rule>> = {
  StageNameCasing: rule('StageNameCasing', 'Stage names should be lowercase'),
  FromAsCasing: rule('FromAsCasing', "The 'as' keyword should match the case of the 'from' keyword"),
  NoEmptyContinuation: rule('NoEmptyContinuation', 'Empty continuation lines will become errors in a future release'),
  ConsistentInstructionCasing: rule('ConsistentInstructionCasing', 'All commands within the Dockerfile should use the same casing (either upper or lower)'),
  DuplicateStageName: rule('DuplicateStageName', 'Stage names should be unique'),
  ReservedStageName: rule('ReservedStageName', 'Reserved words should not be used as stage names'),
  JSONArgsRecommended: rule('JSONArgsRecommended', 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals'),
  MaintainerDeprecated: rule('MaintainerDeprecated', 'The MAINTAINER instruction is deprecated, use a label instead to define an image author'),
  UndefinedArgInFrom: rule('UndefinedArgInFrom', 'FROM command must use declared ARGs'),
  WorkdirRelativePath: rule(
    'WorkdirRelativePath',
    'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  ),
  UndefinedVar: rule('UndefinedVar', 'Variables should be defined before their use'),
  MultipleInstructionsDisallowed: rule('MultipleInstructionsDisallowed', 'Multiple instructions of the same type should not be used in the same stage'),
  LegacyKeyValueFormat: rule('LegacyKeyValueFormat', 'Legacy key/value format with whitespace separator should not be used'),
  RedundantTargetPlatform: rule(
    'RedundantTargetPlatform',
    'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
  ),
  SecretsUsedInArgOrEnv: rule('SecretsUsedInArgOrEnv', 'Sensitive data should not be used in the ARG or ENV commands'),
  InvalidDefaultArgInFrom: rule('InvalidDefaultArgInFrom', 'Default value for global ARG results in an empty or invalid base image name'),
  FromPlatformFlagConstDisallowed: rule('FromPlatformFlagConstDisallowed', 'FROM --platform flag should not use a constant value'),
  CopyIgnoredFile: rule('CopyIgnoredFile', 'Attempting to Copy file that is excluded by .dockerignore', true),
};

// The registry package's public surface (lib/ imports only this file). Explicit named exports.
export { type Reference, DOCKER_HUB, parseReference, formatReference, referenceName, apiHost, isLoopbackRegistry } from './reference.js';
export { RegistryError, AuthError, type RegistryErrorInit, isTemporaryStatus } from './errors.js';
export { type Credential, type Keychain, multiKeychain, staticKeychain, envKeychain, redact } from './auth/credential.js';
export { type DockerConfigFile, type AuthEntry, DOCKER_HUB_AUTH_KEY, dockerConfigPath, podmanAuthPaths, dockerConfigKeychain } from './auth/docker-config.js';
export { runCredentialHelper } from './auth/cred-helper.js';
export { parseChallenge, repositoryScope, type Challenge } from './auth/challenge.js';
export { login, type LoginOptions } from './auth/login.js';
export { RegistryClient, DEFAULT_CONCURRENCY, type RegistryClientOptions, type ManifestResult, type Access } from './client.js';
export { RegistryStore, type RegistryStoreOptions, type ReplaySource, type PushRecord } from './store.js';
export { type UploadOptions } from './upload.js';
export { type HostConfig } from './transport/scheme.js';
export { type TransportStats } from './transport/transport.js';
export { type RetryPolicy, DEFAULT_RETRY } from './transport/retry.js';
export { selectPlatform, type PlatformChoice } from './platform-select.js';

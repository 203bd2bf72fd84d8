// lib/output's public surface (re-exported from lib/index.ts).
export { type BuildResult, type Published, type Publisher, type PublishOptions, rootDescriptor } from './publisher.js';
export { OciLayoutPublisher } from './oci-layout-publisher.js';
export { OciArchivePublisher, type OciArchiveOptions } from './oci-archive-publisher.js';
export { DockerArchivePublisher, type DockerArchiveOptions } from './docker-archive-publisher.js';
export { OutputError } from './errors.js';

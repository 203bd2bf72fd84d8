import { OcibakeError } from '../errors.js';

/** `ImageError` is an image that cannot be built or is not valid (bad media types, counts). */
export class ImageError extends OcibakeError {}

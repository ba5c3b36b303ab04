/**
 * Internals that the repository's own tests and benchmark reach into (never part of the package: the
 * testing folder is excluded from the build).
 */
export { HoverConnection } from '../tokens/hover-connection.entity';
export { HoverConnectionRepository } from '../tokens/hover-connection.repository';
export { HoverTokenManager } from '../tokens/hover-token-manager.service';
export { TokenCipher } from '../tokens/token-cipher';

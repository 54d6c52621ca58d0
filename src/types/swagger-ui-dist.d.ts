declare module 'swagger-ui-dist' {
  /** Folder that holds the Swagger UI assets. */
  export function getAbsoluteFSPath(): string;
}

// The error of a connector kind: a failure a person can act on, its message safe to show.
/** Thrown for a failure a person can act on ("401 from SonarQube: the token was rejected"). */
export class ConnectorError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'ConnectorError';
  }
}

// An error whose message is written for the learner's page. Only these reach
// a response with their own words; anything else thrown while serving a
// request becomes a generic answer (see error-handler.ts), because an
// arbitrary error message may carry a file path, a command line or an echo
// of the request.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

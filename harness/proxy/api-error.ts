/** An error with the HTTP status Toxiproxy gives it; rendered as `{"error": "...", "status": N}`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  /** Toxiproxy's joinError: `<wrapper message>: <cause>`, with the wrapper's status. */
  static join(wrapper: ApiError, cause: unknown): ApiError {
    const msg = cause instanceof Error ? cause.message : String(cause);
    return new ApiError(`${wrapper.message}: ${msg}`, wrapper.status);
  }
}

export const ErrBadRequestBody = new ApiError("bad request body", 400);
export const ErrMissingField = new ApiError("missing required field", 400);
export const ErrProxyNotFound = new ApiError("proxy not found", 404);
export const ErrProxyAlreadyExists = new ApiError("proxy already exists", 409);
export const ErrInvalidStream = new ApiError("stream was invalid, can be either upstream or downstream", 400);
export const ErrInvalidToxicType = new ApiError("invalid toxic type", 400);
export const ErrToxicAlreadyExists = new ApiError("toxic already exists", 409);
export const ErrToxicNotFound = new ApiError("toxic not found", 404);

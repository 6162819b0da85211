/**
 * The one error type of the emulator's API: a status and a message, answered as lemon.markets' flat
 * `{"message": "..."}` envelope (the `ErrorResponse` schema). Route code throws it; `server.ts` maps it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** 400: the request could not be parsed (malformed JSON, a cursor this server never issued). */
export function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}

/**
 * 422: well-formed but invalid. lemon.markets' API is FastAPI-generated (422 is declared exactly on the
 * operations that take parameters or a body), so invalid fields, query values and missing required headers
 * are 422, as FastAPI's request validation answers them.
 */
export function unprocessable(message: string): ApiError {
  return new ApiError(422, message);
}

export function notFound(message: string): ApiError {
  return new ApiError(404, message);
}

/**
 * The parts of API Gateway HTTP API payload format 2.0 the receiver reads and writes (declared here rather
 * than pulling in @types/aws-lambda). The local HTTP adapter produces the same shape.
 */

/** An HTTP API request event, payload format version 2.0. */
export interface ApiGatewayV2Event {
  readonly version: "2.0";
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: readonly string[];
  /** Lower-cased names; repeated headers comma-joined. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly requestId: string;
    readonly routeKey: string;
    readonly stage: string;
    readonly time: string;
    readonly timeEpoch: number;
  };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/** A structured HTTP API result. */
export interface ApiGatewayV2Result {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/**
 * The part of the Lambda context object the receiver reads: how long the invocation may still run before the
 * platform kills it (the function's timeout, counted from the invocation's start).
 */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

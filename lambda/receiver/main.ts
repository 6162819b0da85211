/** The bundle's entry point: exports only the Lambda handler (handler string `index.handler`). */
export { handler } from "./handler";

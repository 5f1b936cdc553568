// Runs before every test file: no test may reach a real network.
import nock from "nock";
import { afterEach } from "vitest";
import { assertRecordedRequestsConform } from "./openapi-conformance.js";

nock.disableNetConnect();
nock.enableNetConnect((host) => host.startsWith("127.0.0.1") || host.startsWith("localhost"));

// Every request a test answered through github-nock must be one GitHub's OpenAPI description allows.
afterEach(() => {
  assertRecordedRequestsConform();
});

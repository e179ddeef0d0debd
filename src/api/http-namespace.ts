/** The `http` namespace of the API: moonbridge_http's functions in camelCase. */
export { generateHandler, encodeHtml, encodeUri, decodeUri, statusWithoutResponseBody } from './http';

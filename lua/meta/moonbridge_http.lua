---@meta moonbridge_http
-- LuaLS (lua-language-server) annotations for moonbridge_http, Moonbridge's
-- HTTP module (`local http = require "moonbridge_http"`).
-- Type information only: this file is never run.
--
-- Request methods return nothing; misuse (e.g. a header after the body, a
-- faulty request) and failed writes raise a Lua error.

---An HTTP status: a 3-digit code and an explanatory text, passed through as given.
---@alias moonbridge_http.status
---| "200 OK"
---| "204 No Content"
---| "301 Moved Permanently"
---| "303 See Other"
---| "304 Not Modified"
---| "400 Bad Request"
---| "403 Forbidden"
---| "404 Not Found"
---| "405 Method Not Allowed"
---| "500 Internal Server Error"
---| string

---Options of moonbridge_http.generate_handler(...). Sizes are bytes; timeouts
---are seconds, or false to disable them.
---@class moonbridge_http.options
---@field request_body_size_limit? integer Maximum size of the request body payload (transfer encoding may add a limited amount; default 64 MiB).
---@field body_size_limit? integer The name Moonbridge 1.0.1 reads for `request_body_size_limit` (used if that is not set).
---@field request_header_size_limit? integer Maximum size of the request line and headers (default 1 MiB).
---@field header_size_limit? integer The name Moonbridge 1.0.1 reads for `request_header_size_limit` (used if that is not set).
---@field chunk_size? integer Default for `maximum_input_chunk_size` and `minimum_output_chunk_size`.
---@field maximum_input_chunk_size? integer Maximum chunk size when streaming a request body or POST fields; bigger chunks are split (default `chunk_size`, else 16384).
---@field minimum_output_chunk_size? integer Minimum size of a response body chunk: smaller data is buffered and sent with later data, unless request:flush() is called (default `chunk_size`, else 1024).
---@field static_headers? string|(string|string[])[]|table<string, string> Headers included in every response: a string of header lines, a sequence of `"Key: value"` strings or `{key, value}` pairs, or a table of key-value pairs.
---@field idle_timeout? number|false Seconds to wait for the first byte of each request on a connection (default 65; then 408 "Idle connection timed out").
---@field stall_timeout? number|false Seconds a single read or write may stay blocked (default 60).
---@field request_header_timeout? number|false Seconds to receive the request line and headers (default 120).
---@field response_timeout? number|false Seconds the handler may take for a request; the process is killed after that (default 3600).
---@field drain_timeout? number|false Seconds to wait for the client's EOF after a response that closes the connection (default 2).
---@field poll_function? fun(input_set: table?, output_set: table?, timeout: number?, wakeup: boolean?): any Called for every wait of the HTTP layer instead of moonbridge_io.poll, with the same arguments (a falsy result means timeout); may yield to a coroutine scheduler.

---Metadata of a multipart/form-data POST value.
---@class moonbridge_http.post_metadata
---@field file_name? string The file name of an uploaded file.
---@field content_type? string The Content-Type of the part.

---Metadata passed to a POST field stream handler with the first chunk.
---@class moonbridge_http.stream_metadata
---@field field_name string
---@field file_name? string
---@field content_type? string

---The request object passed to the handler of generate_handler(...): a table
---(the application may set its own fields on it) whose other fields are
---computed on first access.
---@class moonbridge_http.request
---@field method string The request method, e.g. "HEAD", "GET", or "POST" (case as sent).
---@field path string|nil Requested path without the leading slash and without the query part, not percent-decoded (e.g. "index.html" for "/index.html?a=b&c=d"); nil only for "OPTIONS *".
---@field query string|nil Query part including the leading "?" (e.g. "?a=b&c=d"; the empty string if none); nil only for "OPTIONS *". Parsed into get_params and get_params_list.
---@field host string The requested host (the Host header).
---@field socket moonbridge_io.handle The underlying socket (e.g. to force a TCP RST).
---@field headers table<string, string[]> Header name (case-insensitive) to the sequence of its values, one per header line; a missing header gives an empty table.
---@field headers_csv_string table<string, string|nil> Header name (case-insensitive) to all its values joined by commas.
---@field headers_csv_table table<string, string[]> Header name (case-insensitive) to the sequence of every comma separated value of its lines.
---@field headers_flags table<string, table<string, boolean>> Header name (case-insensitive) to a table mapping (case-insensitively) each comma separated value of its lines to true.
---@field headers_value table<string, string|false|nil> Header name (case-insensitive) to its value; false if the header occurred on several lines, nil if it is missing.
---@field cookies table<string, string> All cookies sent by the client, name to value.
---@field get_params table<string, string> GET field name to its (first) value; supports pairs(...).
---@field get_params_list table<string, string[]> GET field name to the sequence of its values; supports pairs(...).
---@field post_params table<string, string> POST field name to its (first) value; accessing it consumes the request body. Supports pairs(...).
---@field post_params_list table<string, string[]> POST field name to the sequence of its values; accessing it consumes the request body. Supports pairs(...).
---@field post_metadata table<string, moonbridge_http.post_metadata> multipart/form-data only: field name to the metadata of its (first) value. Supports pairs(...).
---@field post_metadata_list table<string, moonbridge_http.post_metadata[]> multipart/form-data only: field name to the sequence of metadata tables (several files with one field name). Supports pairs(...).
---@field body string The request body (without headers); accessing it makes post_params* and request:stream_request_body(...) unavailable.
---@field fresh boolean True until the request object has been used (data read or sent, or a stream handler installed).
---@field faulty boolean False normally; set to true (before an error is raised) after a write error or another unexpected error. A faulty request must not be used: that raises another error.
local request = {}

---Sends the response status, e.g. "200 OK" or "404 Not Found"; must be called
---once before any header or body data is sent (1xx statuses may precede it).
---@param status_string moonbridge_http.status
function request:send_status(status_string) end

---Sends a response header; key and value are separate arguments. A status
---must have been sent with request:send_status(...) first.
---@param key string
---@param value string|number
function request:send_header(key, value) end

---Finishes and flushes the response header section; may be called several
---times until the request is finished. Called automatically when body data is
---sent. No header may be sent afterwards.
function request:finish_headers() end

---Sends response body data: every argument is converted with tostring(...)
---and the results are concatenated. May be called several times until
---request:finish(). Ignored for "HEAD" requests.
---@param ... any
function request:send_data(...) end

---Flushes pending output data (to mark the end of the body, call request:finish()).
function request:flush() end

---Finishes and flushes the response; status, headers and body (if any) must
---have been sent. A no-op on a finished request; called automatically when
---the handler returns. No data may be written afterwards.
function request:finish() end

---Closes the connection after the response, sending "Connection: close". Only
---before the header section is finished (it may come before request:send_status(...)).
function request:close_after_finish() end

---Same as request:close_after_finish(), but also discards all input data immediately.
function request:monologue() end

---Processes the request body: sets post_params, post_params_list,
---post_metadata and post_metadata_list, or calls the stream handlers
---registered with request:stream_post_param(s)(...) or
---request:stream_request_body(...). Called automatically when the POST tables
---or request.body are accessed.
function request:consume_input() end

---Registers a stream handler for a POST field. `callback` is called with
---(chunk, metadata) for the first chunk (an empty string for an empty file),
---with (chunk) for each further chunk (never empty), and without arguments at
---the end. request:consume_input() makes the streaming finish.
---@param field_name string
---@param callback fun(chunk?: string, metadata?: moonbridge_http.stream_metadata)
function request:stream_post_param(field_name, callback) end

---Same as request:stream_post_param(...) for every field whose name matches
---the Lua pattern `pattern` (e.g. "^file_[0-9]+$").
---@param pattern string
---@param callback fun(chunk?: string, metadata?: moonbridge_http.stream_metadata)
function request:stream_post_params(pattern, callback) end

---Registers a stream handler for the whole request body: called with each
---chunk, then with nil at the end. request:consume_input() makes the streaming finish.
---@param callback fun(chunk: string|nil)
function request:stream_request_body(callback) end

---Streams the request body to `callback` right away, one chunk per call;
---returns at EOF without calling `callback` with nil.
---@param callback fun(chunk: string)
function request:stream_request_body_now(callback) end

---The moonbridge_http module.
---@class moonbridge_http
local moonbridge_http = {}

---Converts an HTTP request handler into a "connect" handler for listen{...},
---which serves the requests of a connection one after another (keep-alive).
---The options may be passed second or first.
---
---The handler gets one request object per request. Its return value decides
---about the process, not the connection: anything other than `true` makes the
---process exit (and be replaced) once the connection has ended.
---@overload fun(options: moonbridge_http.options, callback: fun(request: moonbridge_http.request): boolean?): fun(socket: moonbridge_io.handle): boolean
---@param callback fun(request: moonbridge_http.request): boolean? Return true to keep the process for further connections.
---@param options? moonbridge_http.options
---@return fun(socket: moonbridge_io.handle): boolean connect
function moonbridge_http.generate_handler(callback, options) end

---Escapes `<`, `>`, `&` and `"` as HTML entities.
---@param text string
---@return string
function moonbridge_http.encode_html(text) end

---Percent-encodes every byte except ASCII letters, digits and `_ . ~ -`.
---@param text string
---@return string
function moonbridge_http.encode_uri(text) end

---Decodes `%XX` escapes and `+` (as a space); invalid escapes stay as they are.
---@param text string
---@return string
function moonbridge_http.decode_uri(text) end

---Whether a response with this status has no body (1xx, 204, 304).
---@param status_string moonbridge_http.status
---@return boolean
function moonbridge_http.status_without_response_body(status_string) end

return moonbridge_http

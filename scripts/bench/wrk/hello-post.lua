-- The bare Hummingbird anchor's POST route, with a body like a move's.
wrk.method = "POST"
wrk.body = '{"index":4}'
wrk.headers["Content-Type"] = "application/json"

import Hummingbird
import NIOCore

extension Request {
    /// Decodes a JSON body of at most `limit` bytes, refusing with the contract's errors:
    /// 415 unless `Content-Type` is JSON, 413 when too large, 400 when malformed or mistyped.
    /// An empty body decodes as `{}` when `allowEmpty`.
    mutating func decodeJSONObject(limit: Int, allowEmpty: Bool) async throws(APIError) -> JSONObject {
        let contentType = headers[.contentType] ?? ""
        let mediaType =
            contentType == "application/json"
            ? contentType
            : contentType.lowercased().split(separator: ";").first.map { String($0).filter { $0 != " " } } ?? ""
        guard mediaType == "application/json" else {
            throw APIError(
                .unsupportedMediaType,
                "unsupported_media_type",
                contentType.isEmpty
                    ? "send the body as JSON with Content-Type: application/json"
                    : "the body must be JSON (Content-Type: application/json), not \(mediaType)"
            )
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch {
            throw APIError(.contentTooLarge, "body_too_large", "the request body is larger than \(limit) bytes")
        }
        let bytes = Array(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard allowEmpty else { throw APIError(.badRequest, "invalid_body", "the request needs a JSON body") }
            return JSONObject(fields: [:])
        }
        let value: JSONValue
        do {
            var parser = JSONObjectParser(bytes)
            value = try parser.parseDocument()
        } catch {
            throw APIError(.badRequest, "malformed_json", "the request body is not valid JSON")
        }
        guard case .object(let fields) = value else {
            throw APIError(.badRequest, "invalid_body", "the request body must be a JSON object, not \(value.summary)")
        }
        return JSONObject(fields: fields)
    }
}

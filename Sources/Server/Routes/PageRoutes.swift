import Config
import Hummingbird
import NIOCore

/// The game page and its assets, embedded in the binary at build time, and the theme's
/// stylesheet made from the config at start-up. Nothing comes from a CDN.
struct PageRoutes {
    let settings: Settings

    func add(to router: some RouterMethods<AppRequestContext>) {
        let page = Self.asset(Self.renderPage(PackageResources.index_html, settings: settings), type: "text/html; charset=utf-8", cache: "no-cache")
        let script = Self.asset(PackageResources.app_js, type: "text/javascript; charset=utf-8")
        let style = Self.asset(PackageResources.style_css, type: "text/css; charset=utf-8")
        let icon = Self.asset(PackageResources.favicon_svg, type: "image/svg+xml")
        let theme = Self.asset(Array(Self.themeStylesheet(settings.theme).utf8), type: "text/css; charset=utf-8", cache: "no-cache")
        router.get("/") { _, _ in page }
        router.get("assets/app.js") { _, _ in script }
        router.get("assets/style.css") { _, _ in style }
        router.get("assets/theme.css") { _, _ in theme }
        router.get("favicon.svg") { _, _ in icon }
    }

    static func asset(_ bytes: [UInt8], type: String, cache: String = "public, max-age=3600") -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: cache],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// Fills the page template's `{{title}}` and `{{theme}}` slots.
    static func renderPage(_ template: [UInt8], settings: Settings) -> [UInt8] {
        let html = String(decoding: template, as: UTF8.self)
            .replacing("{{title}}", with: escapeHTML(settings.theme.title))
            .replacing("{{theme}}", with: settings.theme.name.rawValue)
        return Array(html.utf8)
    }

    /// CSS custom properties for the chosen palette with its overrides.
    static func themeStylesheet(_ theme: ThemeSettings) -> String {
        let colors = theme.colors
        let scheme = theme.name == .light ? "light" : "dark"
        let properties = ThemeSettings.colorNames.map { "  --\($0): \(colors[$0] ?? "inherit");" }
        return ":root {\n  color-scheme: \(scheme);\n" + properties.joined(separator: "\n") + "\n}\n"
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}

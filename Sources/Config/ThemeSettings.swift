/// The page's look: a built-in palette, colour overrides and the page title.
public struct ThemeSettings: Hashable, Sendable {
    public enum Name: String, Hashable, Sendable, CaseIterable {
        case light, dark
        case highContrast = "high-contrast"
    }

    public var name = Name.light
    /// Overrides of the palette's colours, by ``ThemeSettings/colorNames`` entry.
    public var colorOverrides: [String: String] = [:]
    public var title = "Tic-tac-toe"

    /// The colours a theme defines, in the order they are printed.
    public static let colorNames = [
        "background", "surface", "text", "muted", "accent", "border", "first", "second", "win", "error",
    ]

    /// The palette after overrides, keyed by ``colorNames``.
    public var colors: [String: String] {
        Self.palette(name).merging(colorOverrides) { _, override in override }
    }

    public static func palette(_ name: Name) -> [String: String] {
        switch name {
        case .light:
            [
                "background": "#f3f4f6", "surface": "#ffffff", "text": "#111827", "muted": "#4b5563",
                "accent": "#2563eb", "border": "#d1d5db", "first": "#1d4ed8", "second": "#b91c1c",
                "win": "#fde68a", "error": "#b91c1c",
            ]
        case .dark:
            [
                "background": "#0f172a", "surface": "#1e293b", "text": "#e2e8f0", "muted": "#94a3b8",
                "accent": "#38bdf8", "border": "#334155", "first": "#7dd3fc", "second": "#fca5a5",
                "win": "#854d0e", "error": "#f87171",
            ]
        case .highContrast:
            [
                "background": "#000000", "surface": "#000000", "text": "#ffffff", "muted": "#ffffff",
                "accent": "#ffff00", "border": "#ffffff", "first": "#00ffff", "second": "#ffff00",
                "win": "#008000", "error": "#ff6060",
            ]
        }
    }

    /// Whether `value` is a CSS hex colour: `#rgb` or `#rrggbb`.
    static func isHexColor(_ value: String) -> Bool {
        let digits = value.dropFirst()
        return value.first == "#" && (digits.count == 3 || digits.count == 6) && digits.allSatisfy(\.isHexDigit)
    }
}

import VariantCommand

/// `tictactoe variant` without the server: what image builds run on the build platform.
@main
enum VariantTool {
    static func main() {
        Variant.main()
    }
}

/// Shapes of AWS names, checked offline so that a typo is reported with its line, not by AWS.
public enum AWSNames {
    /// A region such as `us-east-1` or `ap-southeast-2`: lower-case words and a final number.
    public static func isRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count >= 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLowercase || $0.isNumber } }
            && parts.last?.allSatisfy(\.isNumber) == true
    }
}

/// Shapes of AWS names, checked offline so that a typo is reported with its line, not by AWS.
public enum AWSNames {
    /// A region such as `us-east-1` or `ap-southeast-2`: lower-case words and a final number.
    public static func isRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count >= 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLowercase || $0.isNumber } }
            && parts.last?.allSatisfy(\.isNumber) == true
    }

    /// An IAM role, `arn:aws:iam::ACCOUNT:role/NAME`.
    public static func isRoleARN(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[4].count == 12 && parts[5].hasPrefix("role/")
    }

    /// What ECS can read a secret from: an SSM parameter (`arn:aws:ssm:REGION:ACCOUNT:parameter/NAME`)
    /// or a Secrets Manager secret (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`).
    public static func isSecretARN(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count >= 6, parts[0] == "arn", parts[3].count > 0, parts[4].count == 12 else { return false }
        switch parts[2] {
        case "ssm": return parts[5].hasPrefix("parameter/")
        case "secretsmanager": return parts[5] == "secret" && parts.count == 7
        default: return false
        }
    }

    /// The region of an ACM certificate `arn:aws…:acm:REGION:ACCOUNT:certificate/ID`, or nil when
    /// `arn` is not one.
    public static func certificateRegion(ofARN arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "acm", isRegion(String(parts[3])),
            parts[4].count == 12, parts[4].allSatisfy(\.isNumber), parts[5].hasPrefix("certificate/"), parts[5].count > 12
        else { return nil }
        return String(parts[3])
    }

    /// An SNS topic, `arn:aws:sns:REGION:ACCOUNT:NAME`.
    public static func isTopicARN(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && parts[2] == "sns" && isRegion(String(parts[3])) && parts[4].count == 12
            && !parts[5].isEmpty
    }

    /// An IANA time zone name as Application Auto Scaling takes it: `UTC`, or `Area/Location`
    /// (`Europe/Berlin`, `America/Argentina/Buenos_Aires`) of letters, digits, `_`, `+` and `-`.
    public static func isTimeZoneName(_ text: String) -> Bool {
        if text == "UTC" { return true }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return (2...3).contains(parts.count)
            && parts.allSatisfy { part in
                part.first?.isUppercase == true && part.count <= 30
                    && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_+-".contains($0)) }
            }
    }

    /// A DNS name of two labels or more, each 1–63 letters, digits or inner hyphens.
    public static func isHostname(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return text.count <= 253 && labels.count >= 2
            && labels.allSatisfy { label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
    }
}

/// SDG target codes: goal, a dot, then a number (outcome targets) or a lower-case letter (means of
/// implementation), e.g. "9.2", "9.b", "17.19".
public enum SDGTarget {
    public static func isValid(_ code: String) -> Bool {
        let parts = code.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let goal = Int(parts[0]), (1...17).contains(goal), !parts[1].isEmpty else {
            return false
        }
        if let number = Int(parts[1]) { return (1...19).contains(number) && !parts[1].hasPrefix("0") }
        return parts[1].count == 1 && ("a"..."h").contains(parts[1])
    }

    /// Goal first, then numbered targets before lettered ones: "9.1" < "9.5" < "9.a" < "10.1".
    public static func order(_ lhs: String, _ rhs: String) -> Bool {
        func key(_ code: String) -> (Int, Int, String) {
            let parts = code.split(separator: ".")
            let goal = Int(parts.first ?? "") ?? 0
            let rest = parts.count > 1 ? String(parts[1]) : ""
            if let number = Int(rest) {
                return (goal, 0, String(repeating: "0", count: 3 - rest.count) + String(number))
            }
            return (goal, 1, rest)
        }
        return key(lhs) < key(rhs)
    }
}

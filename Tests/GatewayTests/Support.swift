import Crypto

/// The hex SHA-256 of `text`, as a keys file holds it: computed here, independently of the gateway's code.
func sha256Hex(_ text: String) -> String {
    let hex = Array("0123456789abcdef")
    return String(SHA256.hash(data: Array(text.utf8)).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
}
